import { afterEach, describe, expect, it } from 'vitest';
import type { Json } from '../core/json.js';
import type { TaskResult } from '../executor/index.js';
import { FEEDBACK_HEADER } from '../judge/index.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import type { Runtime } from './runtime.js';

const RUBRIC = {
  name: 'release-notes',
  threshold: 0.7,
  criteria: [
    { name: 'accuracy', description: 'states only what changed', weight: 2 },
    { name: 'clarity', description: 'a reader understands it at once', weight: 1 },
  ],
};

/** Waits until the task is waiting for a human, or has finished (waitForTask would wait for the human too). */
async function untilWaiting(runtime: Runtime, id: string): Promise<TaskResult> {
  let task: TaskResult | undefined;
  await until(
    async () => ['waiting', 'failed', 'succeeded'].includes((task = await runtime.tasks.get(id)).status),
    {
      message: () => `task ${id} to wait for a human (it is ${task?.status ?? 'unknown'})`,
    },
  );
  return task as TaskResult;
}

const isJudge = (call: FakeCall) => call.promptText.includes('--- Output to judge ---');

/** A judge's JSON answer scoring both criteria. */
function verdict(accuracy: number, clarity: number, issue?: string): FakeTurn {
  return {
    text: JSON.stringify({
      scores: [
        { criterion: 'accuracy', score: accuracy, reason: 'checked against the task' },
        { criterion: 'clarity', score: clarity, reason: 'read once' },
      ],
      issues: issue ? [{ severity: 'major', criterion: 'accuracy', text: issue }] : [],
      suggestions: issue ? ['Name the version number in the first line.'] : [],
    }),
  };
}

describe('the quality loop: checks, judges, feedback, rounds, escalation', () => {
  let t: TestRuntime | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('makes exactly one model call for a trivial task with judging off', async () => {
    t = await createTestRuntime({ script: [{ text: 'Hi!' }] });
    const task = await t.runtime.tasks.run({ prompt: 'Say hi', quality: { judging: 'off', rubric: RUBRIC } });
    expect(task.status).toBe('succeeded');
    expect(t.model.calls).toHaveLength(1);
    expect(task.modelCallsBy).toEqual({ agents: 1, forge: 0, judges: 0, memory: 0 });
  });

  it('does not judge a task without a rubric or checks', async () => {
    t = await createTestRuntime({ script: [{ text: 'Hi!' }] });
    const task = await t.runtime.tasks.run({ prompt: 'Say hi' });
    expect(t.model.calls).toHaveLength(1);
    expect(task.details).toBeUndefined();
  });

  it('puts a rejection’s issues and suggestions verbatim into round 2’s prompt, then approves', async () => {
    let agentCalls = 0;
    t = await createTestRuntime({
      script: (call) => {
        if (isJudge(call))
          return agentCalls === 1
            ? verdict(0.3, 0.9, 'It claims a fix that is not in the changelog.')
            : verdict(0.9, 0.8);
        agentCalls++;
        return { text: agentCalls === 1 ? 'v2 fixes login and adds dark mode.' : 'v2.0 adds dark mode.' };
      },
      config: { memory: { enabled: false } },
    });
    const task = await t.runtime.tasks.run({
      prompt: 'Write release notes for v2',
      quality: { rubric: RUBRIC },
    });
    expect(task.status).toBe('succeeded');
    expect(task.output).toBe('v2.0 adds dark mode.');
    const agentPrompts = t.model.calls.filter((c) => !isJudge(c)).map((c) => c.promptText);
    expect(agentPrompts).toHaveLength(2);
    expect(agentPrompts[0]).not.toContain(FEEDBACK_HEADER);
    expect(agentPrompts[1]).toContain(FEEDBACK_HEADER);
    expect(agentPrompts[1]).toContain('- [major] accuracy: It claims a fix that is not in the changelog.');
    expect(agentPrompts[1]).toContain('- Name the version number in the first line.');
    expect(task.modelCallsBy).toEqual({ agents: 2, forge: 0, judges: 2, memory: 0 });
    expect(task.details).toMatchObject({
      quality: {
        rounds: [
          { round: 1, approved: false },
          { round: 2, approved: true },
        ],
      },
    });
    // The score is the rubric's weighted mean: (2·0.3 + 0.9) / 3 = 0.5 in round 1.
    const rounds = (task.details as { quality: { rounds: { score: number; votes: unknown[] }[] } }).quality
      .rounds;
    expect(rounds[0]?.score).toBe(0.5);
    // Each judge's vote is in the result too (round 2: (2·0.9 + 0.8) / 3 = 0.867).
    expect(rounds.map((round) => round.votes)).toEqual([
      [{ judge: 'judge', score: 0.5, pass: false }],
      [{ judge: 'judge', score: 0.867, pass: true }],
    ]);
  });

  it('rejects on a failed deterministic check without asking any judge', async () => {
    let agentCalls = 0;
    t = await createTestRuntime({
      script: (call) => {
        if (isJudge(call)) return verdict(0.9, 0.9);
        agentCalls++;
        return { text: agentCalls === 1 ? 'Notes: TODO' : 'Notes: dark mode.' };
      },
      config: { memory: { enabled: false } },
    });
    const task = await t.runtime.tasks.run({
      prompt: 'Write release notes',
      quality: { rubric: RUBRIC, checks: [{ type: 'excludes', text: 'TODO', caseSensitive: false }] },
    });
    expect(task.status).toBe('succeeded');
    // Round 1: the agent only (the check failed); round 2: the agent and one judge.
    expect(t.model.calls.map((c) => (isJudge(c) ? 'judge' : 'agent'))).toEqual(['agent', 'agent', 'judge']);
    expect(t.model.calls[1]?.promptText).toContain('check:');
  });

  it('runs a command check in the task workspace without agentd’s secrets, and only allowed programs', async () => {
    t = await createTestRuntime({
      script: [
        { toolCalls: [{ toolName: 'write_file', input: { path: 'notes.md', content: '# v2' } }] },
        { text: 'Wrote notes.md' },
      ],
      env: { OPENAI_API_KEY: 'sk-secret-for-test' },
      config: { memory: { enabled: false }, quality: { allowedCommands: ['node'] } },
    });
    const task = await t.runtime.tasks.run({
      prompt: 'Write notes.md',
      agent: { name: 'writer', tools: ['write_file'] },
      quality: {
        maxRounds: 1,
        checks: [
          {
            type: 'command',
            name: 'notes exist, key hidden',
            argv: [
              'node',
              '-e',
              // agentd's own environment (VITEST, keys, …) must not reach the command.
              "const extra = Object.keys(process.env).filter((k) => !['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'TERM'].includes(k)); process.exit(require('fs').existsSync('notes.md') && extra.length === 0 ? 0 : 1)",
            ],
            timeoutMs: 20_000,
          },
          { type: 'files', paths: ['notes.md'] },
        ],
      },
    });
    expect(task.status).toBe('succeeded');
    expect(task.details).toMatchObject({ quality: { rounds: [{ approved: true, failedChecks: [] }] } });

    // A program that may not run is refused before a task exists: no round could fix it.
    const calls = t.model.calls.length;
    await expect(
      t.runtime.tasks.submit({
        prompt: 'Write notes.md',
        agent: { name: 'writer', tools: [] },
        quality: {
          maxRounds: 1,
          checks: [{ type: 'command', argv: ['sh', '-c', 'exit 0'], timeoutMs: 1000 }],
        },
      }),
    ).rejects.toMatchObject({ code: 'quality.command_not_allowed', category: 'invalid' });
    expect(t.model.calls.length).toBe(calls);
    // Judges asked for with no rubric to judge against: refused too, not silently unjudged.
    const tasks = (await t.runtime.tasks.list()).length;
    for (const judging of ['single', 'panel'] as const) {
      await expect(
        t.runtime.tasks.submit({ prompt: 'Write notes', quality: { judging } }),
      ).rejects.toMatchObject({
        code: 'quality.no_rubric',
        category: 'invalid',
        message: expect.stringContaining(`judging '${judging}' needs a rubric`),
      });
    }
    expect((await t.runtime.tasks.list()).length).toBe(tasks);
  });

  it('stops at maxRounds and asks a human; approving completes the task with the last output', async () => {
    let agentCalls = 0;
    t = await createTestRuntime({
      script: (call) => {
        if (isJudge(call)) return verdict(0.2, 0.2, 'Still wrong.');
        agentCalls++;
        return { text: `attempt ${agentCalls}` };
      },
      config: { memory: { enabled: false } },
    });
    const submitted = await t.runtime.tasks.submit({
      prompt: 'Write release notes',
      quality: { rubric: RUBRIC, maxRounds: 2 },
    });
    const waiting = await untilWaiting(t.runtime, submitted.id);
    expect(waiting.status).toBe('waiting');
    expect(agentCalls).toBe(2);
    const [review] = await t.runtime.reviews.list({ taskId: submitted.id });
    expect(review).toMatchObject({ kind: 'quality-escalation', status: 'pending' });
    const payload = review?.payload as { rounds: { round: number; output: string; feedback: string }[] };
    expect(payload.rounds.map((r) => [r.round, r.output])).toEqual([
      [1, 'attempt 1'],
      [2, 'attempt 2'],
    ]);
    expect(payload.rounds[0]?.feedback).toContain('Still wrong.');
    // The escalation is announced like any review (agentd run prints its waiting line from it).
    // The events stored so far: with a signal already aborted the stream does not follow the waiting task.
    const types: string[] = [];
    for await (const event of t.runtime.tasks.events(submitted.id, { signal: AbortSignal.abort() })) {
      types.push(event.type);
      if (event.type === 'review-requested') expect(event.data).toMatchObject({ kind: 'quality-escalation' });
    }
    expect(types).toContain('review-requested');
    await t.runtime.reviews.answer(review?.id ?? '', {
      decision: 'approve',
      note: 'good enough',
      payload: null,
    });
    const done = await t.runtime.tasks.wait(submitted.id);
    expect(done).toMatchObject({ status: 'succeeded', output: 'attempt 2' });
    expect(agentCalls).toBe(2);
  });

  it('says "1 round", not "1 round(s)", when one round was allowed', async () => {
    t = await createTestRuntime({
      script: (call) => (isJudge(call) ? verdict(0.2, 0.2, 'No.') : { text: 'attempt' }),
      config: { memory: { enabled: false } },
    });
    const submitted = await t.runtime.tasks.submit({
      prompt: 'Write release notes',
      quality: { rubric: RUBRIC, maxRounds: 1 },
    });
    await untilWaiting(t.runtime, submitted.id);
    const [review] = await t.runtime.reviews.list({ taskId: submitted.id });
    expect(review?.question).toContain('rejected in 1 round (the limit is 1 round)');
  });

  it('stops at the budget cap before the round cap', async () => {
    let agentCalls = 0;
    t = await createTestRuntime({
      script: (call) => {
        if (isJudge(call))
          return { ...verdict(0.2, 0.2, 'No.'), usage: { inputTokens: 10, outputTokens: 10 } };
        agentCalls++;
        return { text: `attempt ${agentCalls}`, usage: { inputTokens: 1000, outputTokens: 1000 } };
      },
      config: { memory: { enabled: false } },
    });
    // Each round costs the same, so budgetCap 1.5 ends the loop after round 2 (2× the first round's cost).
    const submitted = await t.runtime.tasks.submit({
      prompt: 'Write release notes',
      quality: { rubric: RUBRIC, maxRounds: 5, budgetCap: 1.5 },
    });
    const waiting = await untilWaiting(t.runtime, submitted.id);
    expect(waiting.status).toBe('waiting');
    expect(agentCalls).toBe(2);
    const [review] = await t.runtime.reviews.list({ taskId: submitted.id });
    expect(review?.question).toContain('the cost reached 1.5× the first round');
  });

  it('takes an edited output from the reviewer, and a rejection fails the task', async () => {
    t = await createTestRuntime({
      script: (call) => (isJudge(call) ? verdict(0.1, 0.1, 'Bad.') : { text: 'draft' }),
      config: { memory: { enabled: false } },
    });
    const edited = await t.runtime.tasks.submit({
      prompt: 'Notes A',
      quality: { rubric: RUBRIC, maxRounds: 1 },
    });
    await untilWaiting(t.runtime, edited.id);
    const [first] = await t.runtime.reviews.list({ taskId: edited.id });
    // An edit must carry the new output as a string; a wrong one is refused and the review stays open.
    for (const payload of [{ output: 42 }, { text: 'Fixed by hand.' }, 'Fixed by hand.'] as Json[]) {
      await expect(
        t.runtime.reviews.answer(first?.id ?? '', { decision: 'edit', note: null, payload }),
      ).rejects.toMatchObject({ code: 'review.invalid_payload', category: 'invalid' });
    }
    expect((await t.runtime.reviews.list({ taskId: edited.id }))[0]?.status).toBe('pending');
    await t.runtime.reviews.answer(first?.id ?? '', {
      decision: 'edit',
      note: null,
      payload: { output: 'Fixed by hand.' },
    });
    expect(await t.runtime.tasks.wait(edited.id)).toMatchObject({
      status: 'succeeded',
      output: 'Fixed by hand.',
    });

    const rejected = await t.runtime.tasks.submit({
      prompt: 'Notes B',
      quality: { rubric: RUBRIC, maxRounds: 1 },
    });
    await untilWaiting(t.runtime, rejected.id);
    const [second] = await t.runtime.reviews.list({ taskId: rejected.id });
    await t.runtime.reviews.answer(second?.id ?? '', {
      decision: 'reject',
      note: 'not shippable',
      payload: null,
    });
    expect(await t.runtime.tasks.wait(rejected.id)).toMatchObject({
      status: 'failed',
      error: { code: 'quality.rejected', message: expect.stringContaining('not shippable') },
    });
  });

  it('resumes an escalated task after a restart: the answer completes it without asking anyone again', async () => {
    let calls = 0;
    const script = (call: FakeCall): FakeTurn => {
      calls++;
      return isJudge(call) ? verdict(0.1, 0.1, 'Bad.') : { text: 'only draft' };
    };
    t = await createTestRuntime({ script, config: { memory: { enabled: false } } });
    const submitted = await t.runtime.tasks.submit({
      prompt: 'Notes',
      quality: { rubric: RUBRIC, maxRounds: 1 },
    });
    await untilWaiting(t.runtime, submitted.id);
    expect(calls).toBe(2);
    const home = t.home;
    await t.runtime.close();

    const again = await createTestRuntime({
      home,
      script,
      config: { memory: { enabled: false } },
      runtime: { resume: true },
    });
    try {
      const [review] = await again.runtime.reviews.list({ taskId: submitted.id });
      expect(review?.kind).toBe('quality-escalation');
      await again.runtime.reviews.answer(review?.id ?? '', {
        decision: 'approve',
        note: null,
        payload: null,
      });
      expect(await again.runtime.tasks.wait(submitted.id)).toMatchObject({
        status: 'succeeded',
        output: 'only draft',
      });
      // Nothing was asked again: the round and its verdict were replayed from the journal.
      expect(again.model.calls).toHaveLength(0);
    } finally {
      await again.dispose();
    }
    t = { ...t, dispose: async () => undefined };
  });

  it('runs a panel in parallel and combines it by the strategy; verdicts feed the router', async () => {
    t = await createTestRuntime({
      script: (call) => {
        if (!isJudge(call)) return { text: 'v2 adds dark mode.' };
        // The strict persona fails it, the others pass it: majority passes.
        return call.promptText.includes('strict security reviewer')
          ? verdict(0.2, 0.2, 'Unsafe.')
          : verdict(0.9, 0.9);
      },
      config: { memory: { enabled: false } },
    });
    const task = await t.runtime.tasks.run({
      prompt: 'Write release notes',
      quality: {
        judging: 'panel',
        rubric: RUBRIC,
        strategy: 'majority',
        judges: [{ name: 'a' }, { name: 'b', persona: 'a strict security reviewer' }, { name: 'c' }],
      },
    });
    expect(task.status).toBe('succeeded');
    expect(task.modelCallsBy).toEqual({ agents: 1, forge: 0, judges: 3, memory: 0 });
    const spans = await t.runtime.tasks.spans(task.id);
    expect(spans.filter((s) => s.kind === 'agent').map((s) => s.attributes['gen_ai.agent.name'])).toEqual(
      expect.arrayContaining(['assistant', 'agentd.judge.a', 'agentd.judge.b', 'agentd.judge.c']),
    );
    // The verdict (a majority pass) is an observation of the model that wrote the output, for the task's kind.
    const kind = t.runtime.router.explain({ prompt: 'Write release notes' }).classified?.kind;
    const learned = t.runtime.router
      .stats()
      .stats.find((s) => s.modelId === 'fake/scripted' && s.kind === kind);
    expect(learned?.quality.observations).toBeGreaterThan(0);
  });
});

describe('judging on the simulated model', () => {
  it('runs only the checks, and says the judges were skipped', async () => {
    const t = await createTestRuntime({
      config: { models: { default: 'simulated/dry-run' }, memory: { enabled: false } },
      runtime: { providers: [] },
    });
    try {
      const task = await t.runtime.tasks.run({
        prompt: 'Write release notes',
        quality: { rubric: RUBRIC, checks: [{ type: 'length', min: 1, unit: 'chars' }] },
      });
      expect(task).toMatchObject({ status: 'succeeded', simulated: true });
      expect(task.modelCallsBy).toEqual({ agents: 1, forge: 0, judges: 0, memory: 0 });
      expect(task.details).toMatchObject({
        quality: { judges: 'skipped: the simulated model cannot judge; only the checks ran' },
      });
    } finally {
      await t.dispose();
    }
  });
});
