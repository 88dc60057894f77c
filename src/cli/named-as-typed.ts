import { AgentdError } from '../core/errors.js';
import '../operations/operation-error-codes.js';

/**
 * A refused input's message in the words the user typed: `tasks.prune: olderThan: …` becomes
 * `tasks.prune: --older-than: …` (an argument shows as `<name>`). Other errors pass unchanged.
 */
export function namedAsTyped(error: unknown, where: string, names: ReadonlyMap<string, string>): unknown {
  if (!(error instanceof AgentdError) || error.code !== 'request.invalid' || names.size === 0) return error;
  if (!error.message.startsWith(`${where}: `)) return error;
  const fields = [...names.keys()].map((field) => field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const prefix = where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^${prefix}: |; )(${fields})(?=[.:])`, 'g');
  const message = error.message.replace(pattern, (_, lead: string, field: string) => lead + names.get(field));
  if (message === error.message) return error;
  return new AgentdError({
    code: error.code,
    category: error.category,
    message,
    ...(error.path !== undefined ? { path: error.path } : {}),
    ...(error.details !== undefined ? { details: error.details } : {}),
    cause: error,
  });
}
