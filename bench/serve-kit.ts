// Helpers of the benchmarks that run agentd as users do, as a separate `agentd serve` process: the
// bundle kept fresh, a clean environment, a free port, spawning and stopping the server, and reading
// the process's memory and CPU time from /proc (Linux).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { bundleStaleness } from '../src/testing/fresh-bundle.js';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Rebuilds dist/ when dist/cli.js is missing or older than any file in src/. */
export function ensureBundle(): { reason: string } | { error: string } | undefined {
  const reason = bundleStaleness();
  if (!reason) return undefined;
  process.stdout.write(`  dist/cli.js is ${reason}: running node scripts/build.mjs\n`);
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    return { error: 'node scripts/build.mjs failed' };
  }
  return { reason };
}

/** This process's environment without provider keys, agentd settings and NODE_OPTIONS, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value === undefined ||
      key.endsWith('_API_KEY') ||
      key.startsWith('AGENTD_') ||
      key === 'NODE_OPTIONS'
    )
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The status of GET /v1/health, or 0 when the connection fails (not listening yet). */
export function healthStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/health', method: 'GET', agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** A running `agentd serve` child process. */
export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Milliseconds from spawn to the first 200 of /v1/health. */
  readyMs: number;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node [nodeArgs] bin/agentd.js serve --port <port>` with `env` in `cwd` and waits for its
 * first 200 from /v1/health (polled every 5 ms).
 */
export async function startServe(options: {
  env: Record<string, string>;
  cwd: string;
  port?: number;
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<ServeProcess> {
  const port = options.port ?? (await freePort());
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), join(ROOT, 'bin', 'agentd.js'), 'serve', '--port', String(port)],
    { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async (graceMs = 5000): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(killer);
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    for (;;) {
      if (exited) throw new Error(`agentd serve exited before answering:\n${stderr}`);
      if (performance.now() - started > timeoutMs)
        throw new Error(`agentd serve did not answer within ${timeoutMs} ms:\n${stderr}`);
      if ((await healthStatus(port)) === 200) break;
      await sleep(5);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    child,
    pid: child.pid as number,
    port,
    readyMs: performance.now() - started,
    stderr: () => stderr,
    stop,
  };
}

/** A `kB` field of /proc/<pid>/status (`VmRSS` resident now, `VmHWM` its peak), in bytes. */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Resident set size of a process, from /proc/<pid>/status (Linux). */
export function readRss(pid: number): number {
  return procStatusBytes(pid, 'VmRSS');
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
