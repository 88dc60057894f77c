import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { removeWorkspace } from './remove-workspace.js';

let base: string;
let root: string;
let outside: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'agentd-rmws-'));
  root = join(base, 'workspaces');
  outside = join(base, 'precious');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'keep.txt'), 'do not delete');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('removeWorkspace', () => {
  it('removes the folder and reports the bytes of its files', async () => {
    mkdirSync(join(root, 'task_a', 'sub'), { recursive: true });
    writeFileSync(join(root, 'task_a', 'a.txt'), '12345');
    writeFileSync(join(root, 'task_a', 'sub', 'b.txt'), '123');
    expect(await removeWorkspace(root, 'task_a')).toEqual({ removed: true, bytes: 8 });
    expect(existsSync(join(root, 'task_a'))).toBe(false);
  });

  it('is not an error when there is no folder (a task that never wrote a file)', async () => {
    expect(await removeWorkspace(root, 'task_none')).toEqual({ removed: false, bytes: 0 });
    expect(await removeWorkspace(join(base, 'no-root'), 'task_none')).toEqual({ removed: false, bytes: 0 });
  });

  it('never follows a symlink out: in place of the folder, or inside it', async () => {
    symlinkSync(outside, join(root, 'task_link'));
    expect(await removeWorkspace(root, 'task_link')).toEqual({ removed: true, bytes: 0 });
    mkdirSync(join(root, 'task_b'));
    symlinkSync(outside, join(root, 'task_b', 'escape'));
    symlinkSync(join(outside, 'keep.txt'), join(root, 'task_b', 'file-escape'));
    expect(await removeWorkspace(root, 'task_b')).toEqual({ removed: true, bytes: 0 });
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('do not delete');
    expect(existsSync(join(root, 'task_link'))).toBe(false);
  });

  it('refuses a name that is not one path segment', async () => {
    for (const name of ['..', '.', '', '../precious', 'a/b', 'a\\b', 'x\0'])
      await expect(removeWorkspace(root, name), name).rejects.toBeInstanceOf(AgentdError);
    expect(existsSync(join(outside, 'keep.txt'))).toBe(true);
  });
});
