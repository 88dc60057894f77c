import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AgentdError, PolicyDeniedError } from '../core/errors.js';
import './security-error-codes.js';

/** How many symlinks one resolution may follow before it is treated as a loop (Linux's own limit). */
const MAX_SYMLINK_HOPS = 40;

/**
 * Resolves `requested` (a path relative to the workspace) to an absolute real path inside the workspace.
 * Refuses absolute paths, `..` that climbs out, and symlinks that lead out, with `security.path_outside_workspace`.
 * The path may not exist yet (a file about to be written): its deepest existing ancestor is what gets checked.
 */
export async function resolveInWorkspace(workspace: string, requested: string): Promise<string> {
  // Absolute paths are refused outright, even ones that happen to point inside: tools speak workspace-relative.
  if (path.isAbsolute(requested) || requested.includes('\0')) throw outsideWorkspace(requested);

  const root = await workspaceRoot(workspace);
  // Lexical check first, so `../x` is refused without touching the file system outside the workspace.
  const lexical = path.resolve(root, requested);
  if (!isInside(root, lexical)) throw outsideWorkspace(requested);

  // Then the real check: every symlink on the way is followed, and the destination must still be inside.
  const real = await realpathAllowingMissing(lexical);
  if (!isInside(root, real)) throw outsideWorkspace(requested);
  return real;
}

/** True when `candidate` is `root` itself or somewhere below it. */
function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

async function workspaceRoot(workspace: string): Promise<string> {
  try {
    return await realpath(workspace);
  } catch (error) {
    // A missing workspace is agentd's fault (it creates workspaces), not the agent's.
    throw new AgentdError({
      code: 'security.workspace_not_found',
      message: `workspace folder '${workspace}' does not exist`,
      cause: error,
    });
  }
}

/**
 * Like fs.realpath, but for a path whose tail does not exist yet: the deepest existing ancestor is resolved
 * and the missing segments appended. Dangling symlinks are followed by hand, because writing through one
 * would create its target, wherever that is.
 */
async function realpathAllowingMissing(target: string, hops = 0): Promise<string> {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(await realpath(current), ...missing);
    } catch (error) {
      if (!isMissingError(error)) throw error;
    }
    const link = await readlinkIfSymlink(current);
    if (link !== undefined) {
      if (hops >= MAX_SYMLINK_HOPS) {
        throw new AgentdError({
          code: 'security.symlink_loop',
          message: `too many symlinks while resolving '${target}'`,
        });
      }
      // The link exists but its target does not: resolve the target relative to the link's real folder.
      const parent = await realpath(path.dirname(current));
      return realpathAllowingMissing(path.join(path.resolve(parent, link), ...missing), hops + 1);
    }
    const parent = path.dirname(current);
    if (parent === current) return path.join(current, ...missing);
    missing.unshift(path.basename(current));
    current = parent;
  }
}

/** The symlink's target when `file` is a symlink, undefined when it is something else or missing. */
async function readlinkIfSymlink(file: string): Promise<string | undefined> {
  try {
    const stats = await lstat(file);
    return stats.isSymbolicLink() ? await readlink(file) : undefined;
  } catch (error) {
    if (isMissingError(error)) return undefined;
    throw error;
  }
}

/** ENOENT, or ENOTDIR when a path goes through a file as if it were a folder: both mean "not there". */
function isMissingError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function outsideWorkspace(requested: string): PolicyDeniedError {
  return new PolicyDeniedError({
    code: 'security.path_outside_workspace',
    message: `path '${requested}' is outside the workspace; use a path relative to the workspace folder`,
    details: { requested },
  });
}
