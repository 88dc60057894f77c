import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AgentdError } from '../core/errors.js';
import './agent-error-codes.js';
import { validate } from '../core/validate.js';
import { AgentSpecSchema, TeamSpecSchema } from './agent-spec.js';
import type { AgentSpec, TeamSpec } from './agent-spec.js';

/** Reads and validates an agent file (YAML or JSON). Errors name the file and the key. */
export async function loadAgentFile(path: string): Promise<AgentSpec> {
  return validate(AgentSpecSchema, await readSpecFile(path, 'agent'), { where: path, code: 'agent.invalid' });
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
  return validate(TeamSpecSchema, raw, { where: path, code: 'team.invalid' });
}

async function readSpecFile(path: string, kind: 'agent' | 'team'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new AgentdError({ code: `${kind}.not_found`, message: `${kind} file ${path}: ${reason}` });
  }
  try {
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new AgentdError({
      code: `${kind}.invalid`,
      message: `${kind} file ${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${
        error instanceof Error ? error.message.split('\n')[0] : String(error)
      }`,
    });
  }
}
