import type { ModelRequirements } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import type { ModelInfo } from '../models/index.js';

/**
 * Picks a model for an agent that states capabilities instead of a model: the preferred model
 * if it meets them, else the cheapest that does. (The learning router replaces this rule.)
 */
export function selectModel(options: {
  candidates: ModelInfo[];
  requirements: ModelRequirements;
  preferred: ModelInfo | undefined;
}): ModelInfo {
  const { candidates, requirements, preferred } = options;
  const meets = (info: ModelInfo) =>
    (!requirements.tools || info.capabilities.tools || info.simulated) &&
    (!requirements.json || info.capabilities.json || info.simulated) &&
    (!requirements.vision || info.capabilities.vision);
  if (preferred && meets(preferred)) return preferred;
  const best = candidates
    .filter(meets)
    .sort(
      (a, b) =>
        a.inputPerMTok + a.outputPerMTok - (b.inputPerMTok + b.outputPerMTok) || a.id.localeCompare(b.id),
    )[0];
  if (!best) {
    const wanted = Object.entries(requirements)
      .filter(([, on]) => on)
      .map(([name]) => name);
    throw new AgentdError({
      code: 'model.no_match',
      message: `no configured model has the required capabilities (${wanted.join(', ')}); configure a provider whose models do, or name a model`,
    });
  }
  return best;
}
