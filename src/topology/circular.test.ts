import { describe, expect, it } from 'vitest';
import { TeamSpecSchema } from '../agents/index.js';
import type { TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { circularTopology } from './circular.js';

const TASK = 'Name the largest planet.';

function team(names: string[], options: Record<string, unknown> = {}): TeamSpec {
  return TeamSpecSchema.parse({ topology: 'circular', agents: names.map((name) => ({ name })), options });
}

async function run(spec: TeamSpec, answer: (agent: string, prompt: string, call: number) => string) {
  const options = circularTopology.options.parse(spec.options);
  circularTopology.validate(spec, options);
  const ctx = createFakeTopologyContext({ prompt: TASK, answer });
  return { result: await circularTopology.run(spec, options, ctx), ctx };
}

/** The answer an agent received, read back from its prompt (empty on the very first call). */
function received(prompt: string): string {
  return /--- Current answer \(from [^)]+\) ---\n([\s\S]*?)\n\n\(/.exec(prompt)?.[1] ?? '';
}

describe('circular topology', () => {
  it('needs at least 2 agents', () => {
    const spec = team(['solo']);
    expect(() => circularTopology.validate(spec, circularTopology.options.parse({}))).toThrow(
      /circular: needs at least 2 agents in the ring, the team has 1/,
    );
  });

  it('defaults to 2 passes and allows 1 to 10', () => {
    expect(circularTopology.options.parse({})).toEqual({ maxPasses: 2 });
    expect(circularTopology.options.parse({ maxPasses: 10 })).toEqual({ maxPasses: 10 });
    expect(circularTopology.options.safeParse({ maxPasses: 11 }).success).toBe(false);
    expect(circularTopology.options.safeParse({ maxPasses: 0 }).success).toBe(false);
  });

  it('the first agent sees only the task; each next agent refines the previous answer, always with the task', async () => {
    const { ctx } = await run(team(['a', 'b', 'c']), (agent, _prompt, call) => `${agent}${call}`);
    expect(ctx.calls.map((c) => c.agent)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(ctx.calls[0]?.prompt).toBe(TASK);
    for (const call of ctx.calls.slice(1)) expect(call.prompt).toContain(TASK);
    expect(ctx.calls[1]?.prompt).toContain('--- Current answer (from a) ---\na1');
    expect(ctx.calls[2]?.prompt).toContain('--- Current answer (from b) ---\nb2');
    // The ring closes: pass 2 starts from the last agent's answer.
    expect(ctx.calls[3]?.prompt).toContain('--- Current answer (from c) ---\nc3');
  });

  it('ends after maxPasses when answers keep changing, with the last answer as the result', async () => {
    const { result, ctx } = await run(
      team(['a', 'b'], { maxPasses: 3 }),
      (agent, _prompt, call) => `${agent}${call}`,
    );
    expect(ctx.calls).toHaveLength(6);
    expect(result.output).toBe('b6');
    expect(result.details).toEqual({ passes: 3, endedBy: 'max-passes' });
  });

  it('ends when a full pass changes nothing, before maxPasses', async () => {
    // a proposes in the first call; from then on everyone returns what they received (after normalisation).
    const { result, ctx } = await run(team(['a', 'b'], { maxPasses: 5 }), (_agent, prompt, call) =>
      call === 1 ? 'Jupiter' : ` ${received(prompt).toUpperCase()}.`,
    );
    expect(ctx.calls).toHaveLength(4);
    expect(result.details).toEqual({ passes: 2, endedBy: 'stable' });
    // The result is the last answer as given, not a normalised form.
    expect(result.output).toBe('   JUPITER...');
  });

  it('the first pass never counts as stable, even with agreeing agents', async () => {
    const { result } = await run(team(['a', 'b'], { maxPasses: 1 }), () => 'Jupiter');
    expect(result.details).toEqual({ passes: 1, endedBy: 'max-passes' });
  });

  it('keeps going while any one agent in the pass changes the answer', async () => {
    // Only b changes the answer, and only on its first turn in pass 2.
    const { result, ctx } = await run(team(['a', 'b', 'c'], { maxPasses: 4 }), (agent, prompt, call) => {
      if (call === 1) return 'Saturn';
      if (agent === 'b' && call === 5) return 'Jupiter';
      return received(prompt);
    });
    expect(result.details).toEqual({ passes: 3, endedBy: 'stable' });
    expect(ctx.calls).toHaveLength(9);
    expect(result.output).toBe('Jupiter');
  });

  it('fails the run when an agent fails', async () => {
    const attempt = run(team(['a', 'b']), (agent) => {
      if (agent === 'b') throw new AgentdError({ code: 'model.unreachable', message: 'b is down' });
      return 'x';
    });
    await expect(attempt).rejects.toThrow('b is down');
  });
});
