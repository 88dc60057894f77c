import { stat } from 'node:fs/promises';
import { AgentdError } from '../core/errors.js';
import '../security/security-error-codes.js';
import { resolveInWorkspace } from '../security/index.js';
import type { CheckSpec } from './check-spec.js';
import type { CheckFinding } from './output-checks.js';

/** Whether every path of a `files` check exists in the workspace. Paths leaving the workspace fail it. */
export async function checkFiles(
  spec: Extract<CheckSpec, { type: 'files' }>,
  workspace: string | undefined,
): Promise<CheckFinding> {
  if (workspace === undefined)
    return { pass: false, reason: 'the task has no workspace to look for files in' };
  const missing: string[] = [];
  const refused: string[] = [];
  for (const requested of spec.paths) {
    let resolved: string;
    try {
      resolved = await resolveInWorkspace(workspace, requested);
    } catch (error) {
      // A path outside the workspace is the rubric's mistake (or an attack): the check fails, the rest run.
      if (error instanceof AgentdError && error.code === 'security.path_outside_workspace') {
        refused.push(requested);
        continue;
      }
      throw error;
    }
    if (!(await exists(resolved))) missing.push(requested);
  }
  const problems = [
    ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []),
    ...(refused.length > 0 ? [`outside the workspace, not looked at: ${refused.join(', ')}`] : []),
  ];
  return problems.length === 0
    ? { pass: true, reason: `all ${spec.paths.length} expected paths exist` }
    : { pass: false, reason: `expected paths in the workspace: ${problems.join('; ')}` };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}
