import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolContext } from '../../define-tool.js';
import { MAX_READ_FILE_BYTES, readFileTool } from './read-file-tool.js';

let root: string;
let context: ToolContext;

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'agentd-read-file-')));
  await mkdir(path.join(root, 'workspace', 'docs'), { recursive: true });
  await writeFile(path.join(root, 'secret.txt'), 'secret');
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

const read = (requested: string) =>
  readFileTool.execute(readFileTool.input.parse({ path: requested }), context);

describe('read_file', () => {
  it('returns the content of a workspace file with its workspace-relative path', async () => {
    await writeFile(path.join(context.workspace, 'docs', 'readme.md'), '# héllo\n');
    await expect(read('docs/readme.md')).resolves.toEqual({ path: 'docs/readme.md', content: '# héllo\n' });
  });

  it('reads a file of exactly 1 MiB', async () => {
    await writeFile(path.join(context.workspace, 'big.txt'), 'a'.repeat(MAX_READ_FILE_BYTES));
    const result = await read('big.txt');
    expect(result.content).toHaveLength(MAX_READ_FILE_BYTES);
  });

  it('refuses a file over 1 MiB with tool.file_too_large', async () => {
    await writeFile(path.join(context.workspace, 'huge.txt'), 'a'.repeat(MAX_READ_FILE_BYTES + 1));
    await expect(read('huge.txt')).rejects.toMatchObject({
      code: 'tool.file_too_large',
      category: 'invalid',
    });
  });

  it('refuses paths outside the workspace', async () => {
    await expect(read('../secret.txt')).rejects.toMatchObject({ code: 'security.path_outside_workspace' });
    await expect(read('/etc/passwd')).rejects.toMatchObject({ code: 'security.path_outside_workspace' });
  });

  it('refuses a symlink leading out of the workspace', async () => {
    await symlink(path.join(root, 'secret.txt'), path.join(context.workspace, 'link.txt'));
    await expect(read('link.txt')).rejects.toMatchObject({ code: 'security.path_outside_workspace' });
  });

  it('reports a missing file as tool.path_not_found', async () => {
    await expect(read('missing.txt')).rejects.toMatchObject({ code: 'tool.path_not_found' });
  });

  it('refuses a folder', async () => {
    await expect(read('docs')).rejects.toMatchObject({ code: 'tool.invalid_input' });
  });

  it('refuses a binary file', async () => {
    await writeFile(path.join(context.workspace, 'image.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    await expect(read('image.bin')).rejects.toMatchObject({ code: 'tool.binary_file' });
  });

  it('rejects input without a path', () => {
    expect(readFileTool.input.safeParse({}).success).toBe(false);
  });
});
