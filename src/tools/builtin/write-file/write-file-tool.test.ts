import { mkdir, mkdtemp, readFile, realpath, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolContext } from '../../define-tool.js';
import { writeFileTool } from './write-file-tool.js';

let root: string;
let context: ToolContext;

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'agentd-write-file-')));
  await mkdir(path.join(root, 'workspace'));
  await mkdir(path.join(root, 'outside'));
  context = {
    taskId: 'task-1',
    workspace: path.join(root, 'workspace'),
    signal: new AbortController().signal,
    now: () => 0,
  };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const write = (requested: string, content: string) =>
  writeFileTool.execute(writeFileTool.input.parse({ path: requested, content }), context);

describe('write_file', () => {
  it('writes a file and returns its path and size in bytes', async () => {
    await expect(write('notes.txt', 'héllo')).resolves.toEqual({ path: 'notes.txt', bytes: 6 });
    await expect(readFile(path.join(context.workspace, 'notes.txt'), 'utf8')).resolves.toBe('héllo');
  });

  it('creates missing parent folders inside the workspace', async () => {
    await expect(write('a/b/c.md', '# c')).resolves.toEqual({ path: 'a/b/c.md', bytes: 3 });
    expect((await stat(path.join(context.workspace, 'a', 'b'))).isDirectory()).toBe(true);
  });

  it('replaces an existing file', async () => {
    await write('notes.txt', 'first');
    await write('notes.txt', 'second');
    await expect(readFile(path.join(context.workspace, 'notes.txt'), 'utf8')).resolves.toBe('second');
  });

  it('refuses paths outside the workspace and writes nothing', async () => {
    await expect(write('../outside/x.txt', 'x')).rejects.toMatchObject({
      code: 'security.path_outside_workspace',
    });
    await expect(write('/tmp/x.txt', 'x')).rejects.toMatchObject({ code: 'security.path_outside_workspace' });
    await expect(stat(path.join(root, 'outside', 'x.txt'))).rejects.toThrow();
  });

  it('refuses to write through a symlink leading out, even to a new file', async () => {
    await symlink(path.join(root, 'outside'), path.join(context.workspace, 'escape'));
    await expect(write('escape/new/x.txt', 'x')).rejects.toMatchObject({
      code: 'security.path_outside_workspace',
    });
    await expect(stat(path.join(root, 'outside', 'new'))).rejects.toThrow();
  });

  it('refuses to write through a dangling symlink leading out', async () => {
    await symlink(path.join(root, 'outside', 'planted.txt'), path.join(context.workspace, 'planted.txt'));
    await expect(write('planted.txt', 'x')).rejects.toMatchObject({
      code: 'security.path_outside_workspace',
    });
    await expect(stat(path.join(root, 'outside', 'planted.txt'))).rejects.toThrow();
  });

  it('refuses to overwrite a folder or the workspace itself', async () => {
    await mkdir(path.join(context.workspace, 'docs'));
    await expect(write('docs', 'x')).rejects.toMatchObject({ code: 'tool.invalid_input' });
    await expect(write('.', 'x')).rejects.toMatchObject({ code: 'tool.invalid_input' });
  });
});
