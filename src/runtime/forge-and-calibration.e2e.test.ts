import { afterEach, describe, expect, it } from 'vitest';
import { RECALL_HEADER } from '../memory/index.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';

const isForge = (call: FakeCall) => call.promptText.includes('You design a team of AI agents');
const isJudge = (call: FakeCall) => call.promptText.includes('--- Output to judge ---');
const isPairwise = (call: FakeCall) => call.promptText.includes('--- Output A ---');

const DESIGN = {
  topology: 'sequential',
  options: {},
  agents: [
    { name: 'writer', role: 'Writes the draft', instructions: 'Write the release notes.', tools: [] },
    { name: 'editor', role: 'Tightens the draft', instructions: 'Edit the draft for clarity.', tools: [] },
  ],
  rubric: {
    threshold: 0.7,
    criteria: [{ name: 'clarity', description: 'easy to read', weight: 1 }],
  },
  rationale: 'A writer and an editor: drafting and editing are different skills.',
};

function judgeAnswer(score: number): FakeTurn {
  return {
    text: JSON.stringify({
      scores: [{ criterion: 'clarity', score, reason: 'read it' }],
      issues: score < 0.7 ? [{ severity: 'major', criterion: 'clarity', text: 'Too vague.' }] : [],
      suggestions: [],
    }),
  };
}

describe('Forge and judge calibration through the runtime', () => {
  let t: TestRuntime | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('designs a team with Forge, runs it, and judges it with the designed rubric', async () => {
    t = await createTestRuntime({
      script: (call) => {
        if (isForge(call)) return { text: JSON.stringify(DESIGN) };
        if (isJudge(call)) return judgeAnswer(0.9);
        return { text: 'v2 adds dark mode.' };
      },
      config: { memory: { enabled: false } },
    });
    const task = await t.runtime.tasks.run({ prompt: 'Write the release notes for v2', forge: true });
    expect(task.status).toBe('succeeded');
    expect(task.modelCallsBy).toEqual({ agents: 2, forge: 1, judges: 1, memory: 0 });
    const spans = await t.runtime.tasks.spans(task.id);
    expect(spans.filter((s) => s.kind === 'agent').map((s) => s.attributes['gen_ai.agent.name'])).toEqual(
      expect.arrayContaining(['agentd.forge', 'writer', 'editor', 'agentd.judge.judge']),
    );
    expect(task.details).toMatchObject({
      quality: {
        design: { source: 'model', rationale: DESIGN.rationale },
        rounds: [{ round: 1, approved: true }],
      },
    });
  });

  it('gives Forge the recalled memory, and prints a design without running it', async () => {
    t = await createTestRuntime({
      script: (call) =>
        isForge(call) ? { text: JSON.stringify(DESIGN) } : { text: 'Release notes go out every Friday.' },
      config: { memory: { embeddings: 'none' } },
    });
    await t.runtime.tasks.run({ prompt: 'When do release notes go out?' });
    const designed = await t.runtime.tasks.run({
      prompt: 'Write the release notes that go out on Friday',
      forge: 'design',
    });
    expect(designed.status).toBe('succeeded');
    const forgeCall = t.model.calls.find(isForge);
    expect(forgeCall?.promptText).toContain('# Recalled memory');
    expect(forgeCall?.promptText).toContain(RECALL_HEADER);
    expect(forgeCall?.promptText).toContain('Release notes go out every Friday.');
    // Only Forge was asked: nothing ran.
    expect(designed.modelCallsBy).toMatchObject({ agents: 0, forge: 1 });
    expect(JSON.parse(designed.output ?? '{}')).toMatchObject({
      source: 'model',
      design: { topology: 'sequential' },
    });
  });

  it('skips Forge for a task that names its agent', async () => {
    t = await createTestRuntime({ script: [{ text: 'done' }], config: { memory: { enabled: false } } });
    const task = await t.runtime.tasks.run({
      prompt: 'Say done',
      forge: true,
      agent: { name: 'doer', tools: [] },
    });
    expect(task.modelCallsBy).toEqual({ agents: 1, forge: 0, judges: 0, memory: 0 });
  });

  it('calibrates judges against labels (κ, position-swap consistency), and a calibrated rubric starts to gate', async () => {
    const rubric = {
      name: 'clarity',
      threshold: 0.7,
      criteria: [{ name: 'clarity', description: 'easy to read', weight: 1 }],
      requireCalibration: { kappa: 0.6 },
    };
    let agentCalls = 0;
    t = await createTestRuntime({
      script: (call) => {
        // An order-biased pairwise judge: always prefers the first output it is shown.
        if (isPairwise(call)) return { text: JSON.stringify({ winner: 'A', reason: 'first' }) };
        if (isJudge(call))
          return judgeAnswer(/--- Output to judge ---\n[^\n]*clear/.test(call.promptText) ? 0.9 : 0.2);
        agentCalls++;
        return { text: agentCalls === 1 ? 'muddled text' : 'a clear text' };
      },
      config: { memory: { enabled: false } },
    });
    // Before calibration the rubric may not gate: a rejected output is accepted, with the reason.
    const ungated = await t.runtime.tasks.run({ prompt: 'Write a note', quality: { rubric } });
    expect(ungated).toMatchObject({ status: 'succeeded', output: 'muddled text' });
    expect(ungated.details).toMatchObject({ quality: { gate: { allowed: false } } });

    const labels = [
      { id: '1', input: 'Write a note', output: 'a clear note', label: 'pass' as const },
      { id: '2', input: 'Write a note', output: 'a clear memo', label: 'pass' as const },
      { id: '3', input: 'Write a note', output: 'muddled words', label: 'fail' as const },
      { id: '4', input: 'Write a note', output: 'muddled again', label: 'fail' as const },
    ];
    const calibration = await t.runtime.tasks.run({ prompt: 'calibrate', calibrate: { rubric, labels } });
    expect(calibration.status).toBe('succeeded');
    const report = JSON.parse(calibration.output ?? '{}') as {
      judges: { judge: string; accuracy: number; kappa: number; positionSwapConsistency: number }[];
      weights: Record<string, number>;
    };
    expect(report.judges).toEqual([
      expect.objectContaining({ judge: 'judge', accuracy: 1, kappa: 1, positionSwapConsistency: 0 }),
    ]);
    expect(report.weights).toEqual({ judge: 1 });
    // 4 verdicts + 2 pairs × 2 orders.
    expect(calibration.modelCallsBy).toEqual({ agents: 0, forge: 0, judges: 8, memory: 0 });

    agentCalls = 0;
    const gated = await t.runtime.tasks.run({ prompt: 'Write a note', quality: { rubric } });
    expect(gated).toMatchObject({ status: 'succeeded', output: 'a clear text' });
    expect(gated.details).toMatchObject({
      quality: { gate: { allowed: true }, rounds: [{ approved: false }, { approved: true }] },
    });
  });

  it('refuses to calibrate judges that run on the simulated model, storing no calibration', async () => {
    t = await createTestRuntime({
      script: [{ text: 'unused' }],
      config: {
        memory: { enabled: false },
        quality: { judges: [{ name: 'judge', model: 'simulated/dry-run' }] },
      },
    });
    const rubric = {
      name: 'clarity',
      criteria: [{ name: 'clarity', description: 'easy to read', weight: 1 }],
    };
    const labels = [
      { id: '1', input: 'Write a note', output: 'a clear note', label: 'pass' as const },
      { id: '2', input: 'Write a note', output: 'muddled words', label: 'fail' as const },
    ];
    const calibration = await t.runtime.tasks.run({ prompt: 'calibrate', calibrate: { rubric, labels } });
    expect(calibration.status).toBe('failed');
    expect(calibration.error).toMatchObject({ code: 'judge.simulated' });
    expect(calibration.error?.message).toContain('simulated model, which cannot judge');
    expect(calibration.output).toBeNull();
  });
});
