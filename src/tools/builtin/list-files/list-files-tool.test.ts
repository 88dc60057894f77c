import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolContext } from '../../define-tool.js';
import { listFilesTool, MAX_LIST_ENTRIES } from './list-files-tool.js';

let root: string;
let workspace: string;
let context: ToolContext;

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'agentd-list-files-')));
  workspace = path.join(root, 'workspace');
  await mkdir(path.join(workspace, 'src', 'lib'), { recursive: true });
  await mkdir(path.join(root, 'outside'));
  await writeFile(path.join(workspace, 'README.md'), 'hello');
  await writeFile(path.join(workspace, 'src', 'main.ts'), 'main();');
  await writeFile(path.join(workspace, 'src', 'lib', 'util.ts'), '');
  context = { taskId: 'task-1', workspace, signal: new AbortController().signal, now: () => 0 };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const list = (input: { path?: string; recursive?: boolean }) =>
  listFilesTool.execute(listFilesTool.input.parse(input), context);

describe('list_files', () => {
  it('lists the workspace top level by default, in name order', async () => {
    await expect(list({})).resolves.toEqual({
      entries: [
        { path: 'README.md', type: 'file', size: 5 },
        { path: 'src', type: 'dir', size: 0 },
      ],
      truncated: false,
    });
  });

  it('lists a subfolder with workspace-relative paths', async () => {
    const result = await list({ path: 'src' });
    expect(result.entries.map((entry) => entry.path)).toEqual(['src/lib', 'src/main.ts']);
  });

  it('descends into subfolders when recursive', async () => {
    const result = await list({ recursive: true });
    expect(result.entries).toEqual([
      { path: 'README.md', type: 'file', size: 5 },
      { path: 'src', type: 'dir', size: 0 },
      { path: 'src/lib', type: 'dir', size: 0 },
      { path: 'src/lib/util.ts', type: 'file', size: 0 },
      { path: 'src/main.ts', type: 'file', size: 7 },
    ]);
  });

  it(`stops at ${MAX_LIST_ENTRIES} entries and says the list is truncated`, async () => {
    await mkdir(path.join(workspace, 'many'));
    await Promise.all(
      Array.from({ length: MAX_LIST_ENTRIES + 5 }, (_, index) =>
        writeFile(path.join(workspace, 'many', `f${String(index).padStart(4, '0')}.txt`), ''),
      ),
    );
    const result = await list({ path: 'many' });
    expect(result.entries).toHaveLength(MAX_LIST_ENTRIES);
    expect(result.truncated).toBe(true);
  });

  it('is not truncated at exactly the limit', async () => {
    await mkdir(path.join(workspace, 'exact'));
    await Promise.all(
      Array.from({ length: MAX_LIST_ENTRIES }, (_, index) =>
        writeFile(path.join(workspace, 'exact', `f${index}.txt`), ''),
      ),
    );
    const result = await list({ path: 'exact' });
    expect(result.entries).toHaveLength(MAX_LIST_ENTRIES);
    expect(result.truncated).toBe(false);
  });

  it('shows symlinks inside the workspace but not those leading out, and never follows them', async () => {
    await symlink(path.join(root, 'outside'), path.join(workspace, 'escape'));
    await symlink(path.join(workspace, 'src'), path.join(workspace, 'src-link'));
    const result = await list({ recursive: true });
    const paths = result.entries.map((entry) => entry.path);
    expect(paths).not.toContain('escape');
    expect(result.entries).toContainEqual({ path: 'src-link', type: 'dir', size: 0 });
    expect(paths.filter((entry) => entry.startsWith('src-link/'))).toEqual([]);
  });

  it('refuses folders outside the workspace', async () => {
    await expect(list({ path: '..' })).rejects.toMatchObject({ code: 'security.path_outside_workspace' });
    await expect(list({ path: '/etc' })).rejects.toMatchObject({ code: 'security.path_outside_workspace' });
    await symlink(path.join(root, 'outside'), path.join(workspace, 'escape'));
    await expect(list({ path: 'escape' })).rejects.toMatchObject({ code: 'security.path_outside_workspace' });
  });

  it('reports a missing folder and a file given as a folder', async () => {
    await expect(list({ path: 'missing' })).rejects.toMatchObject({ code: 'tool.path_not_found' });
    await expect(list({ path: 'README.md' })).rejects.toMatchObject({ code: 'tool.invalid_input' });
  });
});
