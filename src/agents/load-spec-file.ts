import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AgentdError } from '../core/errors.js';
import { describeParseError } from '../core/yaml-error.js';
import './agent-error-codes.js';
import { validate } from '../core/validate.js';
import { AgentSpecSchema, TeamSpecSchema } from './agent-spec.js';
import type { AgentSpec, TeamSpec } from './agent-spec.js';

/** Reads and validates an agent file (YAML or JSON). Errors name the file and the key. */
export async function loadAgentFile(path: string): Promise<AgentSpec> {
  return anchorPaths(
    validate(AgentSpecSchema, await readSpecFile(path, 'agent'), { where: path, code: 'agent.invalid' }),
    dirname(path),
  );
}

/**
 * A spec's `module` and `cwd` are written relative to its file; they become absolute here, so they
 * mean the same wherever the spec goes next (they must still be inside the project folder to run).
 */
function anchorPaths<T extends AgentSpec>(spec: T, folder: string): T {
  return {
    ...spec,
    ...(spec.module !== undefined ? { module: resolve(folder, spec.module) } : {}),
    ...(spec.cwd !== undefined ? { cwd: resolve(folder, spec.cwd) } : {}),
  };
}

/**
 * Reads and validates a team file. An entry of `agents` may be a path to an agent file,
 * resolved relative to the team file.
 */
export async function loadTeamFile(path: string): Promise<TeamSpec> {
  const raw = await readSpecFile(path, 'team');
  if (raw && typeof raw === 'object' && Array.isArray((raw as { agents?: unknown }).agents)) {
    const record = raw as { agents: unknown[] };
    // A referenced agent file is validated on its own, so its errors name that file.
    record.agents = await Promise.all(
      record.agents.map((entry) =>
        typeof entry === 'string' ? loadAgentFile(resolve(dirname(path), entry)) : entry,
      ),
    );
  }
  const team = validate(TeamSpecSchema, raw, { where: path, code: 'team.invalid' });
  const folder = dirname(path);
  // Agent files were anchored to their own folder already; absolute paths stay as they are.
  return {
    ...team,
    agents: team.agents.map((agent) => anchorPaths(agent, folder)),
    ...(team.subteams
      ? {
          subteams: Object.fromEntries(
            Object.entries(team.subteams).map(([name, sub]) => [
              name,
              { ...sub, agents: sub.agents.map((agent) => anchorPaths(agent, folder)) },
            ]),
          ),
        }
      : {}),
  };
}

async function readSpecFile(path: string, kind: 'agent' | 'team'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? `a folder, not a file; give the ${kind} file (YAML or JSON) inside it`
          : String(error);
    throw new AgentdError({ code: `${kind}.not_found`, message: `${kind} file ${path}: ${reason}` });
  }
  try {
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const format = extname(path) === '.json' ? 'JSON' : 'YAML';
    throw new AgentdError({
      code: `${kind}.invalid`,
      message: `${kind} file ${describeParseError(path, text, error, `not valid ${format}: `)}`,
    });
  }
}
