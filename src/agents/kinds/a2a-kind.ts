import { AgentdError } from '../../core/errors.js';
import '../agent-error-codes.js';
import { runRemoteA2aAgent } from '../a2a/remote-a2a-agent.js';
import type { AgentRunner } from '../agent-runner.js';

/** The `a2a` kind: a remote A2A agent (the spec's `a2a: { url, skill }`) takes the turn. */
export const a2aAgentRunner: AgentRunner = {
  run(agent, input, ctx) {
    if (!agent.a2a) {
      throw new AgentdError({
        code: 'agent.invalid',
        message: `agent '${agent.name}' is of kind 'a2a' but names no a2a remote`,
        details: { agent: agent.name, path: 'a2a' },
      });
    }
    return runRemoteA2aAgent({ ...agent, a2a: agent.a2a }, input, ctx);
  },
};
