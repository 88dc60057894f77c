import { describe, expect, it } from 'vitest';
import { TeamSpecSchema, type TeamSpec } from '../agents/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { meshTopology } from './mesh.js';

const TASK = 'Plan the launch of the new product.';

function team(...names: string[]): TeamSpec {
  return TeamSpecSchema.parse({ topology: 'mesh', agents: names.map((name) => ({ name })) });
}

/** The round number the mesh prompt states. */
function roundOf(prompt: string): number {
  return Number(/Round (\d+) of/.exec(prompt)?.[1]);
}

type Reply = { messages?: { to: string; content: string }[]; final?: string };

/** A fake context whose agents answer from a table: agent → round → reply (no entry: no messages). */
function scripted(script: Record<string, Record<number, Reply>>) {
  return createFakeTopologyContext({
    prompt: TASK,
    answer: (agent, prompt) => JSON.stringify(script[agent]?.[roundOf(prompt)] ?? { messages: [] }),
  });
}

async function run(t: TeamSpec, ctx: ReturnType<typeof createFakeTopologyContext>, options: unknown = {}) {
  const parsed = meshTopology.options.parse(options);
  meshTopology.validate(t, parsed);
  return meshTopology.run(t, parsed, ctx);
}

describe('mesh topology', () => {
  it('needs at least two agents', () => {
    const options = meshTopology.options.parse({});
    expect(() => meshTopology.validate(team('solo'), options)).toThrow(
      'mesh: needs at least 2 agents, the team has 1',
    );
  });

  it('defaults to 4 rounds and rejects unknown options', () => {
    expect(meshTopology.options.parse({})).toEqual({ maxRounds: 4 });
    expect(() => meshTopology.options.parse({ rounds: 2 })).toThrow();
  });

  it('shows each agent only the messages addressed to it (directly or to all), labelled with the sender', async () => {
    const ctx = scripted({
      a: { 1: { messages: [{ to: 'b', content: 'a-to-b' }] } },
      b: { 1: { messages: [{ to: 'all', content: 'b-to-all' }] } },
      c: { 1: { messages: [{ to: 'a', content: 'c-to-a' }] } },
    });
    await run(team('a', 'b', 'c'), ctx);

    const first = ctx.calls.filter((c) => roundOf(c.prompt) === 1);
    expect(first).toHaveLength(3);
    for (const call of first) {
      expect(call.prompt).toContain(TASK);
      expect(call.prompt).toContain('no messages yet');
      expect(call.prompt).not.toContain('--- Message');
    }

    const second = (agent: string) =>
      ctx.calls.find((c) => c.agent === agent && roundOf(c.prompt) === 2)?.prompt ?? '';
    expect(second('a')).toContain('--- Message from b to all ---\nb-to-all');
    expect(second('a')).toContain('--- Message from c ---\nc-to-a');
    expect(second('a')).not.toContain('a-to-b');
    expect(second('b')).toContain('--- Message from a ---\na-to-b');
    expect(second('b')).not.toContain('b-to-all');
    expect(second('b')).not.toContain('c-to-a');
    expect(second('c')).toContain('b-to-all');
    expect(second('c')).not.toContain('a-to-b');
    expect(second('c')).toContain(TASK);
  });

  it('runs the agents of a round in parallel, each round in its own scope, and tells an agent when nobody wrote to it', async () => {
    const ctx = scripted({ a: { 1: { messages: [{ to: 'b', content: 'hi' }] } } });
    await run(team('a', 'b'), ctx);
    expect(ctx.calls.map((c) => c.scope).sort()).toEqual([
      'round-1/1.0/',
      'round-1/1.1/',
      'round-2/1.0/',
      'round-2/1.1/',
    ]);
    const quietRound = ctx.calls.find((c) => c.agent === 'a' && roundOf(c.prompt) === 2);
    expect(quietRound?.prompt).toContain('Nobody messaged you in the last round.');
  });

  it('ends on a final answer; when several agents give one in the same round the first in agent order wins', async () => {
    const ctx = scripted({
      a: { 1: { messages: [{ to: 'b', content: 'draft?' }] } },
      b: { 2: { final: 'Answer from b' } },
      c: { 2: { final: 'Answer from c' } },
    });
    const result = await run(team('a', 'b', 'c'), ctx);
    expect(result.output).toBe('Answer from b');
    expect(result.details).toMatchObject({ rounds: 2, endedBy: 'final', finalBy: 'b' });
    expect(ctx.calls).toHaveLength(6);
  });

  it('ends when a round sends no message, returning the last messages exchanged as labelled sections', async () => {
    const ctx = scripted({
      a: { 1: { messages: [{ to: 'b', content: 'Launch on Monday.' }] } },
      b: { 1: { messages: [{ to: 'all', content: 'Budget is 10k.' }] } },
    });
    const result = await run(team('a', 'b'), ctx);
    expect(result.details).toMatchObject({ rounds: 2, endedBy: 'quiet', messages: 2 });
    expect(result.output).toBe(
      '--- Message from a to b ---\nLaunch on Monday.\n\n--- Message from b to all ---\nBudget is 10k.',
    );
  });

  it('stops after maxRounds (4 by default, overridable) when the agents keep talking', async () => {
    const chatty = { messages: [{ to: 'all', content: 'more' }] };
    const talk = { 1: chatty, 2: chatty, 3: chatty, 4: chatty, 5: chatty };
    const byDefault = scripted({ a: talk, b: talk });
    const result = await run(team('a', 'b'), byDefault);
    expect(result.details).toMatchObject({ rounds: 4, endedBy: 'max-rounds', messages: 8 });
    expect(byDefault.calls).toHaveLength(8);

    const short = scripted({ a: talk, b: talk });
    const two = await run(team('a', 'b'), short, { maxRounds: 2 });
    expect(two.details).toMatchObject({ rounds: 2, endedBy: 'max-rounds' });
    expect(short.calls).toHaveLength(4);
  });

  it('drops and reports messages to unknown agents, to the sender itself and without content', async () => {
    const ctx = scripted({
      a: {
        1: {
          messages: [
            { to: 'zed', content: 'anyone?' },
            { to: 'a', content: 'note to self' },
            { to: 'b', content: '  ' },
          ],
        },
      },
    });
    const result = await run(team('a', 'b'), ctx);
    // Nothing was delivered, so the first round was already quiet.
    expect(result.details).toMatchObject({
      rounds: 1,
      endedBy: 'quiet',
      messages: 0,
      dropped: [
        { round: 1, from: 'a', to: 'zed', reason: "no agent named 'zed'" },
        { round: 1, from: 'a', to: 'a', reason: 'an agent cannot message itself' },
        { round: 1, from: 'a', to: 'b', reason: 'empty message' },
      ],
    });
    expect(result.output).toBe('');
  });

  it('reports an agent that fails and goes on with the others', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent, prompt) => {
        if (agent === 'b') throw new Error('model unavailable');
        return JSON.stringify(
          roundOf(prompt) === 1 ? { messages: [{ to: 'c', content: 'ping' }] } : { final: 'done by a' },
        );
      },
    });
    const result = await run(team('a', 'b', 'c'), ctx);
    expect(result.output).toBe('done by a');
    expect(result.details).toMatchObject({
      failures: [
        { round: 1, agent: 'b', error: { message: 'model unavailable' } },
        { round: 2, agent: 'b', error: { message: 'model unavailable' } },
      ],
    });
  });

  it('fails the run when every agent fails in a round', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: () => {
        throw new Error('offline');
      },
    });
    await expect(run(team('a', 'b'), ctx)).rejects.toMatchObject({
      code: 'topology.all_agents_failed',
      message: expect.stringContaining('every agent failed in round 1'),
    });
  });

  it('counts an agent answer that is not the JSON asked for as that agent failing', async () => {
    const ctx = createFakeTopologyContext({
      prompt: TASK,
      answer: (agent) => (agent === 'a' ? 'I think we should launch.' : JSON.stringify({ final: 'ok' })),
    });
    const result = await run(team('a', 'b'), ctx);
    expect(result.output).toBe('ok');
    expect(result.details).toMatchObject({
      failures: [{ round: 1, agent: 'a', error: { code: 'agent.invalid_output' } }],
    });
  });
});
