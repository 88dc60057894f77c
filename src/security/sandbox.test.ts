import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentdError, PolicyDeniedError } from '../core/errors.js';
import { resolveInWorkspace } from './sandbox.js';

let root: string;
let workspace: string;
let outside: string;

beforeEach(async () => {
  // realpath: on macOS tmpdir() is itself behind a symlink, and resolved paths come back real.
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'agentd-sandbox-')));
  workspace = path.join(root, 'workspace');
  outside = path.join(root, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(path.join(workspace, 'notes.txt'), 'hello');
  await writeFile(path.join(outside, 'secret.txt'), 'secret');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectRefused(requested: string): Promise<void> {
  const error = await resolveInWorkspace(workspace, requested).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PolicyDeniedError);
  expect(error).toMatchObject({ code: 'security.path_outside_workspace', category: 'forbidden' });
  expect((error as Error).message).toContain(requested);
}

describe('resolveInWorkspace', () => {
  it('resolves an existing file to its absolute path inside the workspace', async () => {
    await expect(resolveInWorkspace(workspace, 'notes.txt')).resolves.toBe(path.join(workspace, 'notes.txt'));
  });

  it('resolves the workspace itself for "."', async () => {
    await expect(resolveInWorkspace(workspace, '.')).resolves.toBe(workspace);
  });

  it('resolves a nested file that does not exist yet, for writing', async () => {
    await expect(resolveInWorkspace(workspace, 'a/b/new.txt')).resolves.toBe(
      path.join(workspace, 'a', 'b', 'new.txt'),
    );
  });

  it('allows ".." that stays inside the workspace', async () => {
    await expect(resolveInWorkspace(workspace, 'a/../notes.txt')).resolves.toBe(
      path.join(workspace, 'notes.txt'),
    );
  });

  it('refuses a parent path', async () => {
    await expectRefused('../x');
  });

  it('refuses an absolute path', async () => {
    await expectRefused('/etc/passwd');
  });

  it('refuses ".." that climbs out through a subfolder', async () => {
    await expectRefused('a/../../x');
  });

  it('refuses a path through a symlink that points outside', async () => {
    await symlink(outside, path.join(workspace, 'escape'));
    await expectRefused('escape/secret.txt');
    await expectRefused('escape/new.txt');
    await expectRefused('escape');
  });

  it('refuses a symlinked file that points outside', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(workspace, 'secret-link.txt'));
    await expectRefused('secret-link.txt');
  });

  it('refuses a dangling symlink whose target would be created outside', async () => {
    await symlink(path.join(outside, 'not-yet.txt'), path.join(workspace, 'dangling.txt'));
    await expectRefused('dangling.txt');
  });

  it('allows a symlink that points inside the workspace, returning the real target', async () => {
    await mkdir(path.join(workspace, 'docs'));
    await symlink(path.join(workspace, 'docs'), path.join(workspace, 'docs-link'));
    await expect(resolveInWorkspace(workspace, 'docs-link/readme.md')).resolves.toBe(
      path.join(workspace, 'docs', 'readme.md'),
    );
  });

  it('allows a relative symlink that points inside the workspace', async () => {
    await symlink('notes.txt', path.join(workspace, 'notes-link.txt'));
    await expect(resolveInWorkspace(workspace, 'notes-link.txt')).resolves.toBe(
      path.join(workspace, 'notes.txt'),
    );
  });

  it('accepts a workspace given through a symlink', async () => {
    const alias = path.join(root, 'alias');
    await symlink(workspace, alias);
    await expect(resolveInWorkspace(alias, 'notes.txt')).resolves.toBe(path.join(workspace, 'notes.txt'));
  });

  it('reports a missing workspace as a system error', async () => {
    await expect(resolveInWorkspace(path.join(root, 'missing'), 'x')).rejects.toMatchObject({
      code: 'security.workspace_not_found',
      category: 'system',
    });
    await expect(resolveInWorkspace(path.join(root, 'missing'), 'x')).rejects.toBeInstanceOf(AgentdError);
  });
});
