import { lstat, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { PolicyDeniedError } from '../core/errors.js';
import './security-error-codes.js';

/** What removing a workspace folder did. */
export interface WorkspaceRemoval {
  /** Whether there was anything to remove. */
  removed: boolean;
  /** The size of the files removed (their apparent size; a symlink counts as nothing). */
  bytes: number;
}

/**
 * Removes the workspace folder `name` directly under `root` (the workspaces folder), confined to
 * it: `name` must be one path segment; a symlink in its place is unlinked, never followed; symlinks
 * inside are removed as links, so nothing outside `root` is touched or counted. A missing folder
 * (a task that never used a tool) is not an error.
 */
export async function removeWorkspace(root: string, name: string): Promise<WorkspaceRemoval> {
  const found = await findWorkspace(root, name);
  if (!found) return { removed: false, bytes: 0 };
  // rm removes a symlink (in place of the folder or inside it) as a link, without following it.
  await rm(found.target, { recursive: true, force: true });
  return { removed: true, bytes: found.bytes };
}

/** What {@link removeWorkspace} would free, without removing anything (0 when there is no folder). */
export async function workspaceSize(root: string, name: string): Promise<number> {
  return (await findWorkspace(root, name))?.bytes ?? 0;
}

/** The workspace `name` under `root` and its size, or undefined when there is none. */
async function findWorkspace(
  root: string,
  name: string,
): Promise<{ target: string; bytes: number } | undefined> {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) throw outsideWorkspaces(name);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const target = path.join(realRoot, name);
  // Inside by construction (one segment); checked again so that a later change cannot undo it.
  if (path.dirname(target) !== realRoot) throw outsideWorkspaces(name);
  let stats;
  try {
    stats = await lstat(target);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return { target, bytes: stats.isDirectory() ? await sizeOf(target) : stats.isFile() ? stats.size : 0 };
}

/** The total size of the regular files under `folder`, not following symlinks. */
async function sizeOf(folder: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory()) bytes += await sizeOf(child);
    else if (entry.isFile()) bytes += (await lstat(child)).size;
  }
  return bytes;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function outsideWorkspaces(name: string): PolicyDeniedError {
  return new PolicyDeniedError({
    code: 'security.path_outside_workspace',
    message: `'${name}' is not a workspace folder name; refusing to remove anything outside the workspaces folder`,
    details: { requested: name },
  });
}
