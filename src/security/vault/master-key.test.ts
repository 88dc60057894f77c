import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentdError } from '../../core/errors.js';
import { generateMasterKey, readKeyFile } from './master-key.js';

// The race: the key file is checked, then an attacker who can write the folder swaps in a link to
// a key of their own before it is read. Simulated by a path check that sees the genuine file.
const genuine: { path?: string } = {};
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    lstatSync: (path: fs.PathLike, ...rest: unknown[]) =>
      (actual.lstatSync as (...args: unknown[]) => fs.Stats)(genuine.path ?? path, ...rest),
  };
});

const folders: string[] = [];
afterEach(() => {
  genuine.path = undefined;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('readKeyFile', () => {
  it('reads the key from the file it checked, so a link swapped in after the check is refused', () => {
    const home = mkdtempSync(join(tmpdir(), 'agentd-key-'));
    folders.push(home);
    genuine.path = join(home, 'genuine.key');
    writeFileSync(genuine.path, generateMasterKey().toString('base64'), { mode: 0o600 });
    const planted = join(home, 'planted.key');
    writeFileSync(planted, generateMasterKey().toString('base64'), { mode: 0o644 });
    const keyFile = join(home, 'secrets.key');
    symlinkSync(planted, keyFile);
    let error: unknown;
    try {
      readKeyFile(keyFile);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AgentdError);
    expect((error as AgentdError).code).toBe('vault.key_file_permissions');
  });

  it('is undefined when there is no key file, and reads a 0600 one', () => {
    const home = mkdtempSync(join(tmpdir(), 'agentd-key-'));
    folders.push(home);
    const key = generateMasterKey();
    expect(readKeyFile(join(home, 'secrets.key'))).toBeUndefined();
    writeFileSync(join(home, 'secrets.key'), key.toString('base64'), { mode: 0o600 });
    expect(readKeyFile(join(home, 'secrets.key'))?.equals(key)).toBe(true);
  });
});
