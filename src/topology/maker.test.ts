import { describe, expect, it } from 'vitest';
import type { AgentSpec, TeamSpec } from '../agents/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { makerTopology } from './maker.js';

const agent = (name: string): AgentSpec => ({ name, tools: [] });

const team = (agents: AgentSpec[], options: Record<string, unknown> = {}): TeamSpec => ({
  name: 'team',
  topology: 'maker',
  agents,
  options,
});

const TASK = 'Write a haiku about rain.';
const approve = JSON.stringify({ approve: true, issues: [] });
const reject = (...issues: string[]) => JSON.stringify({ approve: false, issues });

async function run(
  agents: AgentSpec[],
  options: Record<string, unknown>,
  answer: (agent: string, prompt: string) => string | Promise<string>,
) {
  const spec = team(agents, options);
  const parsed = makerTopology.options.parse(spec.options);
  makerTopology.validate(spec, parsed);
  const ctx = createFakeTopologyContext({ prompt: TASK, answer });
  const result = await makerTopology.run(spec, parsed, ctx);
  return { result, calls: ctx.calls };
}

/** A maker that numbers its drafts. */
function drafts(): () => string {
  let draft = 0;
  return () => `draft ${++draft}`;
}

describe('maker topology', () => {
  it('needs at least one checker besides the maker', () => {
    expect(() => makerTopology.validate(team([agent('maker')]), makerTopology.options.parse({}))).toThrow(
      'maker: needs at least 1 checker besides the maker, the team has 0',
    );
  });

  it('rejects a quorum larger than the number of checkers', () => {
    const spec = team([agent('m'), agent('c1'), agent('c2')], { quorum: 3 });
    expect(() => makerTopology.validate(spec, makerTopology.options.parse(spec.options))).toThrow(
      'maker: options.quorum is 3, but the team has only 2 checkers',
    );
  });

  it('rejects a maker option naming no agent of the team', () => {
    const spec = team([agent('m'), agent('c')], { maker: 'author' });
    expect(() => makerTopology.validate(spec, makerTopology.options.parse(spec.options))).toThrow(
      /options\.maker names 'author'/,
    );
  });

  it('defaults to 3 rounds and every checker as quorum, and rejects unknown options', () => {
    expect(makerTopology.options.parse({})).toEqual({ maxRounds: 3 });
    expect(() => makerTopology.options.parse({ checkers: 2 })).toThrow();
  });

  it('ends at once when every checker approves, each having seen the task and the artifact', async () => {
    const { result, calls } = await run([agent('m'), agent('c1'), agent('c2')], {}, (name) =>
      name === 'm' ? 'Drops on the tin roof' : approve,
    );
    expect(result.output).toBe('Drops on the tin roof');
    expect(calls.map((c) => c.agent)).toEqual(['m', 'c1', 'c2']);
    for (const call of calls.slice(1)) {
      expect(call.prompt).toContain(TASK);
      expect(call.prompt).toContain('Drops on the tin roof');
    }
    expect(calls[1]?.scope).not.toBe(calls[2]?.scope);
    expect(result.details).toEqual({
      maker: 'm',
      approved: true,
      approvals: 2,
      quorum: 2,
      approvedBy: ['c1', 'c2'],
      rounds: 1,
      issues: [],
      failures: [],
      endedBy: 'approved',
    });
  });

  it('has the maker revise with every issue verbatim, labelled by checker, until all approve', async () => {
    const make = drafts();
    const { result, calls } = await run([agent('m'), agent('c1'), agent('c2')], {}, (name, prompt) => {
      if (name === 'm') return make();
      if (prompt.includes('draft 2')) return approve;
      return name === 'c1'
        ? reject('Line 2 has 8 syllables.')
        : JSON.stringify({ approve: true, issues: ['Title it.'] });
    });

    expect(result.output).toBe('draft 2');
    expect(calls.map((c) => c.agent)).toEqual(['m', 'c1', 'c2', 'm', 'c1', 'c2']);
    const revise = calls[3]?.prompt ?? '';
    expect(revise).toContain(TASK);
    expect(revise).toContain('--- Your previous artifact ---\ndraft 1');
    expect(revise).toContain('--- Issues from c1 (did not approve) ---\n- Line 2 has 8 syllables.');
    expect(revise).toContain('--- Issues from c2 (approved) ---\n- Title it.');
    expect(result.details).toMatchObject({ approved: true, rounds: 2, endedBy: 'approved' });
  });

  it('accepts the artifact once the quorum of approvals is reached', async () => {
    const { result, calls } = await run([agent('m'), agent('c1'), agent('c2')], { quorum: 1 }, (name) =>
      name === 'm' ? 'haiku' : name === 'c1' ? approve : reject('Too short.'),
    );
    expect(calls).toHaveLength(3);
    expect(result.details).toMatchObject({
      approved: true,
      approvals: 1,
      quorum: 1,
      approvedBy: ['c1'],
      issues: [{ checker: 'c2', issues: ['Too short.'] }],
      endedBy: 'approved',
    });
  });

  it('returns the last artifact unapproved after maxRounds, with the last round’s issues', async () => {
    const make = drafts();
    const { result, calls } = await run([agent('m'), agent('c')], { maxRounds: 2 }, (name, prompt) =>
      name === 'm' ? make() : reject(`Still wrong: ${prompt.includes('draft 2') ? 'two' : 'one'}.`),
    );
    expect(calls.map((c) => c.agent)).toEqual(['m', 'c', 'm', 'c']);
    expect(result.output).toBe('draft 2');
    expect(result.details).toMatchObject({
      approved: false,
      approvals: 0,
      rounds: 2,
      issues: [{ checker: 'c', issues: ['Still wrong: two.'] }],
      endedBy: 'max-rounds',
    });
  });

  it('counts a failed checker as not approving and reports it', async () => {
    const make = drafts();
    const { result, calls } = await run([agent('m'), agent('c1'), agent('c2')], { maxRounds: 2 }, (name) => {
      if (name === 'm') return make();
      if (name === 'c1') throw new Error('checker crashed');
      return approve;
    });
    expect(result.output).toBe('draft 2');
    expect(calls[3]?.prompt).toContain('--- c1 could not review ---');
    expect(result.details).toMatchObject({
      approved: false,
      approvals: 1,
      failures: [
        { round: 1, checker: 'c1', error: 'checker crashed' },
        { round: 2, checker: 'c1', error: 'checker crashed' },
      ],
      endedBy: 'max-rounds',
    });
  });

  it('uses the agent named by the maker option as maker', async () => {
    const { calls } = await run([agent('c'), agent('author')], { maker: 'author' }, (name) =>
      name === 'author' ? 'text' : approve,
    );
    expect(calls.map((c) => c.agent)).toEqual(['author', 'c']);
  });
});
