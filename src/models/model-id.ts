import { AgentdError } from '../core/errors.js';
import './model-error-codes.js';

// The same shape the config schema accepts for `models.default` and catalog ids.
const MODEL_ID = /^([^/\s]+)\/(\S+)$/;

/** Splits a `provider/model` id at its first `/`; a malformed id is an AgentdError `model.invalid_id`. */
export function parseModelId(id: string): { provider: string; model: string } {
  const match = MODEL_ID.exec(id);
  if (!match?.[1] || !match[2]) {
    throw new AgentdError({
      code: 'model.invalid_id',
      message: `model id '${id}' is not of the form provider/model (e.g. openai/gpt-4o-mini, ollama/llama3.2)`,
    });
  }
  return { provider: match[1], model: match[2] };
}

/** True when `id` has the form `provider/model`. */
export function isModelId(id: string): boolean {
  return MODEL_ID.test(id);
}
