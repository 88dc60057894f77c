import { AgentdError } from '../../core/errors.js';
import '../../executor/executor-error-codes.js';
import type { DurableContext } from '../../executor/index.js';
import type { AgentSpec } from '../agent-spec.js';

/**
 * Where one agent's gateway calls are journaled in its task: a scope of the agent's durable context
 * of its own, so the calls a foreign framework makes (in the order it makes them) do not shift the
 * keys of the agent's other steps. Steps are named by the request's hash: a resumed agent that asks
 * the same as before, in the same order, gets the journaled answer; the first request that differs
 * (the journal calls that nondeterministic) moves the rest of the run to a fresh scope named after
 * the position where it diverged, so those calls go to the model and are journaled again — and a
 * second resume that diverges at the same place finds them there.
 */
export interface GatewayJournal {
  run<T>(name: string, call: (durable: DurableContext) => Promise<T>): Promise<T>;
}

const journals = new WeakMap<DurableContext, Map<string, GatewayJournal>>();

/** The gateway journal of `agent` in `durable` (one per agent and durable context, reused by every session). */
export function gatewayJournal(durable: DurableContext, agent: AgentSpec): GatewayJournal {
  let byAgent = journals.get(durable);
  if (!byAgent) journals.set(durable, (byAgent = new Map()));
  let journal = byAgent.get(agent.name);
  if (!journal) {
    journal = createJournal(durable.scope(`gateway:${agent.name.replaceAll('/', '_')}`));
    byAgent.set(agent.name, journal);
  }
  return journal;
}

function createJournal(root: DurableContext): GatewayJournal {
  let current = root;
  let calls = 0;
  return {
    async run(name, call) {
      const position = ++calls;
      const scope = current;
      try {
        return await call(scope);
      } catch (error) {
        if (!(error instanceof AgentdError) || error.code !== 'journal.nondeterministic') throw error;
        // The journal's record at this position is of another request: from here on the run is new.
        if (current === scope) current = scope.scope(`diverged-${position}`);
        return call(current);
      }
    },
  };
}
