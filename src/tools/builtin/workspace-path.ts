import path from 'node:path';
import { AgentdError } from '../../core/errors.js';
import '../tool-error-codes.js';

/** The workspace-relative, '/'-separated form of `absolute`: how file tools report paths back to the model. */
export function toWorkspacePath(workspaceRoot: string, absolute: string): string {
  const relative = path.relative(workspaceRoot, absolute);
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}

/** Turns a file-system error on `requested` into an AgentdError the model can act on; other errors pass through. */
export function toFileToolError(error: unknown, requested: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // ENOTDIR: a path that goes through a file as if it were a folder does not exist either.
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new AgentdError({
      code: 'tool.path_not_found',
      message: `'${requested}' does not exist in the workspace`,
      details: { requested },
      cause: error,
    });
  }
  if (code === 'EISDIR') {
    return new AgentdError({
      code: 'tool.invalid_input',
      message: `'${requested}' is a folder, not a file`,
      path: 'path',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new AgentdError({
      code: 'tool.permission_denied',
      message: `agentd may not access '${requested}'`,
      details: { requested },
      cause: error,
    });
  }
  return error;
}
