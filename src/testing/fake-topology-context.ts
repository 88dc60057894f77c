import type { AgentInput, AgentResult, AgentSpec } from '../agents/index.js';
import { AgentdError, toAgentdError } from '../core/errors.js';
import '../agents/agent-error-codes.js';
import './testing-error-codes.js';
import type { HumanAnswer, Settled } from '../executor/index.js';
import { prepareTeam } from '../topology/index.js';
import type { TopologyContext } from '../topology/index.js';

/** One agent call a fake topology context saw. */
export interface FakeAgentCall {
  agent: string;
  prompt: string;
  /** The scope path it ran in ('' at the root; `2.1/` for a parallel branch; `dag:x/` …). */
  scope: string;
}

/**
 * A TopologyContext without a runtime, for unit tests of topology logic: agents answer from a
 * script; parallel runs branches concurrently; structured inputs are parsed with their schema.
 * (The real context, with journal, budget and spans, is exercised by the topology conformance suite.)
 */
export function createFakeTopologyContext(options: {
  prompt: string;
  /** The agent's answer (text; for structured inputs, JSON text). Throw to fail the agent. */
  answer: (agent: string, prompt: string, call: number) => string | Promise<string>;
  human?: (request: { kind: string; question: string }) => HumanAnswer;
}): TopologyContext & { calls: FakeAgentCall[] } {
  const calls: FakeAgentCall[] = [];
  const make = (scope: string): TopologyContext => {
    let seq = 0;
    const ctx: TopologyContext = {
      prompt: options.prompt,
      signal: new AbortController().signal,
      async runAgent(agent: AgentSpec, input: AgentInput): Promise<AgentResult> {
        calls.push({ agent: agent.name, prompt: input.prompt, scope });
        const output = await options.answer(agent.name, input.prompt, calls.length);
        if (!input.schema) return { agent: agent.name, output };
        let json: unknown;
        try {
          json = JSON.parse(output);
        } catch {
          throw new AgentdError({
            code: 'agent.invalid_output',
            message: `${agent.name}: not JSON: ${output}`,
          });
        }
        const parsed = input.schema.safeParse(json);
        if (!parsed.success) {
          throw new AgentdError({
            code: 'agent.invalid_output',
            message: `${agent.name}: ${parsed.error.message}`,
          });
        }
        return { agent: agent.name, output, data: parsed.data };
      },
      async parallel<T>(branches: readonly ((c: TopologyContext) => Promise<T>)[]): Promise<Settled<T>[]> {
        const n = ++seq;
        return Promise.all(
          branches.map(async (branch, i): Promise<Settled<T>> => {
            try {
              return { ok: true, value: await branch(make(`${scope}${n}.${i}/`)) };
            } catch (error) {
              return { ok: false, error: toAgentdError(error) };
            }
          }),
        );
      },
      scope: (name) => make(`${scope}${name}/`),
      async waitForHuman(request) {
        if (!options.human) throw new AgentdError({ code: 'test.no_human', message: 'no human scripted' });
        return options.human(request);
      },
      async runTeam(team, prompt) {
        const prepared = prepareTeam(team);
        const child = make(`${scope}child${++seq}/`);
        return prepared.topology.run(prepared.team, prepared.options, { ...child, prompt });
      },
      withCallPolicy: () => ctx,
      localModels: () => [],
    };
    return ctx;
  };
  return Object.assign(make(''), { calls });
}
