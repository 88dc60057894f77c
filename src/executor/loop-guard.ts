import { createHash } from 'node:crypto';
import { AgentdError } from '../core/errors.js';
import './executor-error-codes.js';
import { canonicalJson } from '../core/json.js';
import type { Json } from '../core/json.js';

/** One action an agent took: a tool call, a delegation, a message. */
export interface ObservedAction {
  agent: string;
  /** What was done, e.g. the tool's name. */
  action: string;
  args: Json;
  /** What came back; the same call with a different result is progress, not a loop. */
  result: Json;
}

/** Watches a task's trajectory and stops an agent that repeats itself without learning anything. */
export interface LoopGuard {
  /** Records an action; throws `loop.detected` when the same call and result repeat too often. */
  observe(action: ObservedAction): void;
}

/** Options of {@link createLoopGuard}. */
export interface LoopGuardOptions {
  /** Identical (call, result) pairs within the window that count as a loop (default 3). */
  repeats?: number;
  /** How many recent actions of each agent are remembered (default 12). */
  window?: number;
}

/**
 * A trajectory guard: a hash of (agent, action, canonical arguments, result) over a sliding window
 * per agent; the same pair `repeats` times stops the agent.
 */
export function createLoopGuard(options: LoopGuardOptions = {}): LoopGuard {
  const repeats = options.repeats ?? 3;
  const window = options.window ?? 12;
  const recent = new Map<string, string[]>();
  return {
    observe({ agent, action, args, result }) {
      const hash = createHash('sha256')
        .update(canonicalJson([agent, action, args, result]))
        .digest('base64url');
      let history = recent.get(agent);
      if (!history) recent.set(agent, (history = []));
      history.push(hash);
      if (history.length > window) history.shift();
      const count = history.filter((h) => h === hash).length;
      if (count >= repeats) {
        throw new AgentdError({
          code: 'loop.detected',
          message:
            `agent '${agent}' repeated ${action} with the same arguments and the same result ` +
            `${count} times in its last ${history.length} actions; stopped to avoid an endless loop`,
          details: { agent, action, args, repeats: count },
        });
      }
    },
  };
}
