import { describe, expect, it } from 'vitest';
import type { AgentSpec, TeamSpec } from '../agents/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { until } from '../testing/until.js';
import { hierarchicalTopology } from './hierarchical.js';

const agent = (name: string, role?: string): AgentSpec => ({ name, tools: [], ...(role ? { role } : {}) });

const team = (agents: AgentSpec[], options: Record<string, unknown> = {}): TeamSpec => ({
  name: 'team',
  topology: 'hierarchical',
  agents,
  options,
});

const TASK = 'Write a report on tides.';

/** A manager that plays its turns in order: plan, review…, then whatever `final` says. */
function managerScript(turns: unknown[]): (prompt: string) => string {
  let turn = 0;
  return () => JSON.stringify(turns[Math.min(turn++, turns.length - 1)]);
}

async function run(
  agents: AgentSpec[],
  options: Record<string, unknown>,
  answer: (agent: string, prompt: string) => string | Promise<string>,
) {
  const spec = team(agents, options);
  const parsed = hierarchicalTopology.options.parse(spec.options);
  hierarchicalTopology.validate(spec, parsed);
  const ctx = createFakeTopologyContext({ prompt: TASK, answer });
  const result = await hierarchicalTopology.run(spec, parsed, ctx);
  return { result, calls: ctx.calls };
}

describe('hierarchical topology', () => {
  it('needs at least one worker besides the manager', () => {
    const spec = team([agent('boss')]);
    expect(() => hierarchicalTopology.validate(spec, hierarchicalTopology.options.parse({}))).toThrow(
      'hierarchical: needs at least 1 worker besides the manager, the team has 0',
    );
  });

  it('rejects a manager option naming no agent of the team', () => {
    const spec = team([agent('boss'), agent('worker')], { manager: 'chief' });
    expect(() =>
      hierarchicalTopology.validate(spec, hierarchicalTopology.options.parse(spec.options)),
    ).toThrow(/options\.manager names 'chief'/);
  });

  it('defaults to 3 rounds and the first agent as manager, and rejects unknown options', () => {
    expect(hierarchicalTopology.options.parse({})).toEqual({ maxRounds: 3 });
    expect(() => hierarchicalTopology.options.parse({ rounds: 2 })).toThrow();
  });

  it('runs dependent subtasks after their dependencies, showing them the results they depend on', async () => {
    const manager = managerScript([
      {
        subtasks: [
          { id: 'facts', assignee: 'researcher', instruction: 'Collect facts about tides.' },
          { id: 'draft', assignee: 'writer', instruction: 'Write the report.', dependsOn: ['facts'] },
        ],
      },
      { final: 'The report.' },
    ]);
    const { result, calls } = await run(
      [agent('boss'), agent('researcher'), agent('writer')],
      {},
      (name, prompt) =>
        name === 'boss'
          ? manager(prompt)
          : name === 'researcher'
            ? 'The moon pulls water.'
            : 'Tides come from the moon.',
    );

    expect(result.output).toBe('The report.');
    expect(calls.map((c) => c.agent)).toEqual(['boss', 'researcher', 'writer', 'boss']);
    const [plan, research, write, review] = calls;
    expect(plan?.prompt).toContain(TASK);
    expect(plan?.prompt).toMatch(/- researcher\n- writer/);
    expect(research?.prompt).toContain(TASK);
    expect(research?.prompt).toContain('Collect facts about tides.');
    expect(research?.prompt).not.toContain('Write the report.');
    expect(write?.prompt).toContain(TASK);
    expect(write?.prompt).toContain('Write the report.');
    expect(write?.prompt).toContain('--- Result of subtask facts ---\nThe moon pulls water.');
    expect(review?.prompt).toContain('The moon pulls water.');
    expect(review?.prompt).toContain('Tides come from the moon.');
    expect(result.details).toMatchObject({
      manager: 'boss',
      rounds: 1,
      endedBy: 'final',
      failures: [],
      subtasks: [
        [
          { id: 'facts', worker: 'researcher', ok: true, dependsOn: [] },
          { id: 'draft', worker: 'writer', ok: true, dependsOn: ['facts'] },
        ],
      ],
    });
  });

  it('runs independent subtasks concurrently, each in its own branch', async () => {
    const manager = managerScript([
      {
        subtasks: [
          { id: 'a', assignee: 'one', instruction: 'Part A.' },
          { id: 'b', assignee: 'two', instruction: 'Part B.' },
        ],
      },
      { final: 'done' },
    ]);
    let running = 0;
    let most = 0;
    const { calls } = await run([agent('boss'), agent('one'), agent('two')], {}, async (name, prompt) => {
      if (name === 'boss') return manager(prompt);
      running++;
      most = Math.max(most, running);
      // Each worker finishes only once both are running: run one after the other, they never would.
      await until(() => most === 2, { message: 'both workers to be running' });
      running--;
      return `${name} done`;
    });
    expect(most).toBe(2);
    const scopes = calls.filter((c) => c.agent !== 'boss').map((c) => c.scope);
    expect(new Set(scopes).size).toBe(2);
  });

  it('matches an assignee by role, ignoring case', async () => {
    const manager = managerScript([
      { subtasks: [{ id: 'x', assignee: 'EDITOR', instruction: 'Edit.' }] },
      { final: 'edited' },
    ]);
    const { result, calls } = await run(
      [agent('boss'), agent('ann', 'Writer'), agent('bob', 'Editor')],
      {},
      (name, prompt) => (name === 'boss' ? manager(prompt) : `${name} worked`),
    );
    expect(calls.map((c) => c.agent)).toEqual(['boss', 'bob', 'boss']);
    expect(result.details).toMatchObject({ subtasks: [[{ id: 'x', assignee: 'EDITOR', worker: 'bob' }]] });
  });

  it('reports unknown assignees, unknown dependencies and cycles to the manager as failed subtasks without running them', async () => {
    const manager = managerScript([
      {
        subtasks: [
          { id: 'ghost', assignee: 'nobody', instruction: 'Haunt.' },
          { id: 'p', assignee: 'one', instruction: 'Ping.', dependsOn: ['q'] },
          { id: 'q', assignee: 'one', instruction: 'Pong.', dependsOn: ['p'] },
          { id: 'after', assignee: 'one', instruction: 'Follow.', dependsOn: ['ghost'] },
          { id: 'lost', assignee: 'one', instruction: 'Wait.', dependsOn: ['nowhere'] },
          { id: 'fine', assignee: 'one', instruction: 'Work.' },
        ],
      },
      { final: 'partial' },
    ]);
    const { result, calls } = await run([agent('boss'), agent('one')], {}, (name, prompt) =>
      name === 'boss' ? manager(prompt) : 'worked',
    );

    expect(result.output).toBe('partial');
    expect(calls.map((c) => c.agent)).toEqual(['boss', 'one', 'boss']);
    expect(calls[1]?.prompt).toContain('Work.');
    const review = calls[2]?.prompt ?? '';
    expect(review).toContain("unknown assignee 'nobody' (workers: one)");
    expect(review).toContain('dependency cycle: p → q → p');
    expect(review).toContain('dependency cycle: q → p → q');
    expect(review).toContain("not run: subtask 'ghost' it depends on failed");
    expect(review).toContain("depends on 'nowhere', which is not a subtask of this round");
    const failures = (result.details as { failures: { id: string }[] }).failures;
    expect(failures.map((f) => f.id)).toEqual(['ghost', 'p', 'q', 'after', 'lost']);
  });

  it('reports a failed worker to the manager and in the details, and skips its dependents', async () => {
    const manager = managerScript([
      {
        subtasks: [
          { id: 'a', assignee: 'one', instruction: 'Crash.' },
          { id: 'b', assignee: 'two', instruction: 'Use A.', dependsOn: ['a'] },
          { id: 'c', assignee: 'two', instruction: 'Independent.' },
        ],
      },
      { final: 'recovered' },
    ]);
    const { result, calls } = await run([agent('boss'), agent('one'), agent('two')], {}, (name, prompt) => {
      if (name === 'boss') return manager(prompt);
      if (name === 'one') throw new Error('model unreachable');
      return 'independent result';
    });

    expect(result.output).toBe('recovered');
    expect(calls.map((c) => c.agent)).toEqual(['boss', 'one', 'two', 'boss']);
    const review = calls[3]?.prompt ?? '';
    expect(review).toContain('Round 1, subtask a (one) FAILED');
    expect(review).toContain('model unreachable');
    expect(review).toContain('independent result');
    expect(result.details).toMatchObject({
      failures: [
        { round: 1, id: 'a', error: 'model unreachable' },
        { round: 1, id: 'b', error: "not run: subtask 'a' it depends on failed" },
      ],
    });
  });

  it('plans further rounds from the review, then asks for the final answer only after maxRounds', async () => {
    const plan = { subtasks: [{ id: 's', assignee: 'one', instruction: 'Again.' }] };
    const manager = managerScript([plan, plan, { final: 'forced answer' }]);
    const { result, calls } = await run([agent('boss'), agent('one')], { maxRounds: 2 }, (name, prompt) =>
      name === 'boss' ? manager(prompt) : 'more',
    );

    expect(calls.map((c) => c.agent)).toEqual(['boss', 'one', 'boss', 'one', 'boss']);
    expect(calls[2]?.prompt).toContain('1 round left');
    expect(calls[4]?.prompt).toContain('No rounds are left');
    expect(calls[4]?.prompt).toContain('Round 1, subtask s');
    expect(calls[4]?.prompt).toContain('Round 2, subtask s');
    expect(result.output).toBe('forced answer');
    expect(result.details).toMatchObject({ rounds: 2, endedBy: 'max-rounds' });
  });

  it('ends without workers when the manager answers at once', async () => {
    const { result, calls } = await run([agent('boss'), agent('one')], {}, () =>
      JSON.stringify({ final: 'easy' }),
    );
    expect(result.output).toBe('easy');
    expect(calls.map((c) => c.agent)).toEqual(['boss']);
    expect(result.details).toMatchObject({ rounds: 0, endedBy: 'final', subtasks: [] });
  });

  it('fails the run when the manager gives neither a final answer nor subtasks', async () => {
    await expect(
      run([agent('boss'), agent('one')], {}, () => JSON.stringify({ subtasks: [] })),
    ).rejects.toThrow(/give either .*final.* or at least one subtask/);
  });

  it('uses the agent named by the manager option as manager', async () => {
    const manager = managerScript([
      { subtasks: [{ id: 's', assignee: 'first', instruction: 'Go.' }] },
      { final: 'ok' },
    ]);
    const { calls } = await run([agent('first'), agent('lead')], { manager: 'lead' }, (name, prompt) =>
      name === 'lead' ? manager(prompt) : 'went',
    );
    expect(calls.map((c) => c.agent)).toEqual(['lead', 'first', 'lead']);
  });
});
