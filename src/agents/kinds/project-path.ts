import { isAbsolute, relative } from 'node:path';
import { AgentdError } from '../../core/errors.js';
import '../agent-error-codes.js';
import { resolveInWorkspace } from '../../security/index.js';

/**
 * Resolves a spec's path (`module`, `cwd`) inside the project folder, to its real path. Spec files
 * loaded from disk carry absolute paths (resolved against the spec file); a spec sent over HTTP may
 * carry anything, so `..`, absolute paths elsewhere and symlinks that lead out are refused alike.
 */
export async function resolveInProject(
  projectDir: string,
  requested: string,
  where: { agent: string; field: string },
): Promise<string> {
  const inside = isAbsolute(requested) ? relative(projectDir, requested) || '.' : requested;
  try {
    return await resolveInWorkspace(projectDir, inside);
  } catch (error) {
    if (error instanceof AgentdError && error.code.startsWith('security.')) {
      throw new AgentdError({
        code: 'agent.path_outside_project',
        message: `agent '${where.agent}': ${where.field} '${requested}' is not inside the project folder ${projectDir} (agents.projectDir)`,
        details: { agent: where.agent, path: where.field },
        cause: error,
      });
    }
    throw error;
  }
}
