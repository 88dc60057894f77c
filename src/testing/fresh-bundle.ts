import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The real entry point as users run it: bin/agentd.js loads the dist/ bundle in a fresh process. */
export const BIN = join(ROOT, 'bin', 'agentd.js');
const BUNDLE = join(ROOT, 'dist', 'cli.js');

/** The newest modification time of the files the bundle is built from (tests are not bundled). */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why dist/ must be rebuilt before it is run (missing, or older than a source file), or undefined. */
export function bundleStaleness(): 'missing' | 'older than src/' | undefined {
  if (!existsSync(BUNDLE)) return 'missing';
  return newestSourceMtime(join(ROOT, 'src')) > statSync(BUNDLE).mtimeMs ? 'older than src/' : undefined;
}

/** Builds dist/ unless the bundle is newer than every source file, so no test runs a stale bundle. */
export async function ensureFreshBundle(): Promise<void> {
  if (bundleStaleness() === undefined) return;
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
}
