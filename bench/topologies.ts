// Orchestration cost of each topology with the model taken out of the picture: for every topology in
// the registry, a team of 3–5 agents (1 for `single`) on a deterministic zero-latency fake model whose
// structured answers drive the topology to a normal end. Reports model calls per task, wall time,
// orchestration overhead (wall − time inside the model) per task and per call, and journal steps/s.
// Run with `npm run bench -- topologies`; options: --tasks, --warmup (counts), --only NAME[,NAME…].
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import type { TeamSpec } from '../src/agents/index.js';
import type { Json } from '../src/core/json.js';
import { createFakeLanguageModel, createFakeProvider } from '../src/testing/fake-language-model.js';
import type { FakeCall, FakeTurn } from '../src/testing/fake-language-model.js';
import { createTestRuntime } from '../src/testing/test-runtime.js';
import { topologies } from '../src/topology/index.js';
import {
  describeMachine,
  formatMs,
  formatRate,
  intOption,
  machineLine,
  option,
  percentile,
  printTable,
  sum,
  countSteps,
  timed,
} from './bench-kit.js';
import type { ModelTiming } from './bench-kit.js';

/** The fixed text of every free-text answer (a few words, so the stream has a few text deltas). */
const ANSWER = 'Done: this part is complete.';

/** What a scripted reply is decided from: who is asking, for which JSON fields, with which prompt. */
interface Ask {
  agent: string;
  /** Top-level properties of the JSON schema asked for; empty for a free-text answer. */
  fields: string[];
  /** The user text of the call (the topology's prompt to the agent). */
  prompt: string;
}

/** One topology's benchmark: the team, the task prompt, the scripted replies, and the expected end. */
interface Scenario {
  team: TeamSpec;
  prompt: string;
  /** The reply: free text, or an object answered as JSON. */
  reply(ask: Ask): string | Record<string, unknown>;
  /** Why a finished task did not end the intended way (checked on every task), or undefined. */
  check?(details: Record<string, Json | undefined>): string | undefined;
}

const PROMPT = 'Benchmark task: write a short note on the release plan.';

/** An agent with a role and no tools (every call is one model step). */
function agent(name: string, role: string, extra: Partial<TeamSpec['agents'][number]> = {}) {
  return { name, role, tools: [], ...extra };
}

function team(topology: TeamSpec['topology'], agents: TeamSpec['agents'], options = {}): TeamSpec {
  return { name: `bench-${topology}`, topology, agents, options };
}

/** Fails the check unless every `[key, expected]` pair matches the details. */
function expectDetails(expected: Record<string, Json>) {
  return (details: Record<string, Json | undefined>): string | undefined => {
    for (const [key, value] of Object.entries(expected)) {
      if (JSON.stringify(details[key]) !== JSON.stringify(value))
        return `details.${key} is ${JSON.stringify(details[key])}, expected ${JSON.stringify(value)}`;
    }
    const failures = details['failures'];
    if (Array.isArray(failures) && failures.length > 0) return `failures: ${JSON.stringify(failures)}`;
    return undefined;
  };
}

/**
 * One scenario per shipped topology. A topology added to the registry without one makes the
 * benchmark fail, so none is left unmeasured by accident.
 */
const SCENARIOS: Record<string, Scenario> = {
  single: {
    team: team('single', [agent('assistant', 'a general assistant')]),
    prompt: PROMPT,
    reply: () => ANSWER,
  },
  sequential: {
    team: team('sequential', [
      agent('researcher', 'collects the facts'),
      agent('writer', 'drafts the note'),
      agent('editor', 'tightens the draft'),
      agent('reviewer', 'checks the final text'),
    ]),
    prompt: PROMPT,
    reply: () => ANSWER,
  },
  parallel: {
    team: team('parallel', [
      agent('analyst-a', 'an analyst'),
      agent('analyst-b', 'an analyst'),
      agent('analyst-c', 'an analyst'),
      agent('analyst-d', 'an analyst'),
    ]),
    prompt: PROMPT,
    reply: () => ANSWER,
    check: expectDetails({ merge: 'concat' }),
  },
  hierarchical: {
    team: team('hierarchical', [
      agent('manager', 'plans and reviews the work'),
      agent('researcher', 'collects the facts'),
      agent('writer', 'drafts the note'),
    ]),
    prompt: PROMPT,
    // Two subtasks in the first round, then the final answer on review.
    reply: ({ agent, prompt }) => {
      if (agent !== 'manager') return ANSWER;
      if (prompt.includes('Review the results above')) return { final: ANSWER };
      return {
        subtasks: [
          { id: 'facts', assignee: 'researcher', instruction: 'Collect the facts.' },
          { id: 'draft', assignee: 'writer', instruction: 'Draft the note.' },
        ],
      };
    },
    check: expectDetails({ endedBy: 'final', rounds: 1 }),
  },
  dag: {
    team: team('dag', [
      agent('research', 'collects the facts'),
      agent('outline', 'outlines the note', { dependsOn: ['research'] }),
      agent('examples', 'finds examples', { dependsOn: ['research'] }),
      agent('writer', 'writes the note', { dependsOn: ['outline', 'examples'] }),
    ]),
    prompt: PROMPT,
    reply: () => ANSWER,
  },
  debate: {
    team: team('debate', [
      agent('optimist', 'argues for'),
      agent('skeptic', 'argues against'),
      agent('pragmatist', 'weighs costs'),
      agent('judge', 'decides'),
    ]),
    prompt: PROMPT,
    // Debaters keep distinct answers, so the judge is asked after round 1 and says they agree.
    reply: ({ agent, fields }) => {
      if (fields.includes('agreed')) return { agreed: true, decision: ANSWER, rationale: 'They agree.' };
      if (fields.includes('decision')) return { decision: ANSWER, rationale: 'Best argued.' };
      return `${agent}: ${ANSWER}`;
    },
    check: expectDetails({ endedBy: 'judge', rounds: 1 }),
  },
  mesh: {
    team: team('mesh', [
      agent('planner', 'plans the release'),
      agent('coder', 'knows the code'),
      agent('tester', 'knows the tests'),
    ]),
    prompt: PROMPT,
    // Round 1: everyone messages all; round 2: the planner gives the final answer.
    reply: ({ agent, prompt }) => {
      if (prompt.includes('Round 1 of at most'))
        return { messages: [{ to: 'all', content: `${agent}: my part is ready.` }] };
      return agent === 'planner' ? { messages: [], final: ANSWER } : { messages: [] };
    },
    check: expectDetails({ endedBy: 'final', rounds: 2, messages: 3 }),
  },
  star: {
    team: team('star', [
      agent('hub', 'coordinates and answers'),
      agent('legal', 'knows the legal side'),
      agent('finance', 'knows the costs'),
      agent('support', 'knows the customers'),
    ]),
    prompt: PROMPT,
    // One consultation of two spokes, then the answer.
    reply: ({ agent, fields, prompt }) => {
      if (agent !== 'hub') return ANSWER;
      if (!fields.includes('consult') || prompt.includes('Consultation 1:')) return { answer: ANSWER };
      return {
        consult: [
          { spoke: 'legal', question: 'Any legal blockers?' },
          { spoke: 'finance', question: 'What does it cost?' },
        ],
      };
    },
    check: expectDetails({ endedBy: 'answer' }),
  },
  grid: {
    team: team('grid', [
      agent('cell-1', 'a solver'),
      agent('cell-2', 'a solver'),
      agent('cell-3', 'a solver'),
      agent('cell-4', 'a solver'),
    ]),
    prompt: PROMPT,
    // The same answer every round: stable after round 2.
    reply: () => ANSWER,
    check: expectDetails({ endedBy: 'stable', rounds: 2 }),
  },
  forest: {
    team: team(
      'forest',
      [
        agent('lead-a', 'leads team A'),
        agent('worker-a', 'works in team A', { parent: 'lead-a' }),
        agent('lead-b', 'leads team B'),
        agent('worker-b', 'works in team B', { parent: 'lead-b' }),
        agent('aggregator', 'merges the teams'),
      ],
      { aggregator: 'aggregator' },
    ),
    prompt: PROMPT,
    reply: () => ANSWER,
    check: expectDetails({ skipped: [] }),
  },
  circular: {
    team: team('circular', [
      agent('drafter', 'drafts'),
      agent('editor', 'edits'),
      agent('proofreader', 'proofreads'),
    ]),
    prompt: PROMPT,
    // Every agent returns the answer unchanged: the second pass is stable.
    reply: () => ANSWER,
    check: expectDetails({ endedBy: 'stable', passes: 2 }),
  },
  'mixture-of-agents': {
    team: team('mixture-of-agents', [
      agent('proposer-a', 'a proposer'),
      agent('proposer-b', 'a proposer'),
      agent('proposer-c', 'a proposer'),
      agent('aggregator', 'synthesises the proposals'),
    ]),
    prompt: PROMPT,
    reply: () => ANSWER,
    check: expectDetails({ layers: 2 }),
  },
  maker: {
    team: team('maker', [
      agent('maker', 'writes the note'),
      agent('checker-a', 'checks facts'),
      agent('checker-b', 'checks style'),
    ]),
    prompt: PROMPT,
    // Both checkers approve the first artifact.
    reply: ({ fields }) => (fields.includes('approve') ? { approve: true, issues: [] } : ANSWER),
    check: expectDetails({ approved: true, rounds: 1 }),
  },
  hybrid: {
    team: team(
      'hybrid',
      [
        agent('clerk', 'a billing clerk'),
        agent('writer', 'writes the reply'),
        agent('reviewer', 'checks the reply'),
      ],
      { inner: 'sequential', mode: 'mask' },
    ),
    // The e-mail address makes every call sensitive; the fake provider is not local, so all are masked.
    prompt: `${PROMPT} The customer is jane.doe@example.com.`,
    reply: () => ANSWER,
    check: (details) => {
      const policy = details['policy'] as { calls?: number; masked?: number } | undefined;
      return policy?.calls === 3 && policy.masked === 3
        ? undefined
        : `policy stats ${JSON.stringify(policy)}, expected 3 calls all masked`;
    },
  },
};

/** Runs the benchmark and prints its table. */
export async function run(args: string[]): Promise<void> {
  const tasks = intOption(args, 'tasks', 100);
  const warmup = intOption(args, 'warmup', 20);
  const only = option(args, 'only')
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const names = [...topologies.keys()];
  for (const name of only ?? []) {
    if (!topologies.has(name)) throw new Error(`--only: no topology '${name}' (have: ${names.join(', ')})`);
  }
  const missing = names.filter((name) => !(name in SCENARIOS));
  if (missing.length > 0) throw new Error(`no benchmark scenario for topology ${missing.join(', ')}`);
  const selected = names.filter((name) => !only || only.includes(name));

  const machine = describeMachine();
  const loadBefore = loadavg();
  process.stdout.write(`agentd topologies benchmark — ${machineLine(machine)}\n\n`);
  process.stdout.write(
    `• ${tasks} tasks per topology (after ${warmup} warm-up tasks), zero-latency fake model\n`,
  );

  const rows: string[][] = [];
  const failed: string[] = [];
  const measurements = await measureTopologies(
    selected.map((name) => SCENARIOS[name] as Scenario),
    { tasks, warmup },
  );
  for (const [index, name] of selected.entries()) {
    const scenario = SCENARIOS[name] as Scenario;
    const m = measurements[index] as TopologyMeasurement | { error: string };
    if ('error' in m) {
      failed.push(`${name}: ${m.error}`);
      rows.push([name, String(scenario.team.agents.length), 'FAILED', ...Array<string>(8).fill('—')]);
      continue;
    }
    rows.push([
      name,
      String(scenario.team.agents.length),
      formatCount(m.callsPerTask),
      formatCount(m.stepsPerTask),
      formatMs(m.wall.p50),
      formatMs(m.wall.p95),
      formatMs(m.modelMsPerTask),
      formatMs(m.overhead.p50),
      formatMs(m.overhead.p95),
      formatMs(m.overheadPerCall.p50),
      formatRate(m.stepsPerSecond, 'steps'),
    ]);
  }
  process.stdout.write('\n');
  printTable(
    [
      'topology',
      'agents',
      'model calls/task',
      'steps/task',
      'wall p50',
      'wall p95',
      'in model/task',
      'overhead p50',
      'overhead p95',
      'overhead/call p50',
      'journal steps/s',
    ],
    rows,
  );

  const loadAfter = loadavg();
  const notes = [
    `Machine: ${machineLine(machine)}. Load average (1 min) ${loadBefore[0]?.toFixed(2)} at start, ` +
      `${loadAfter[0]?.toFixed(2)} at end: other processes on the machine compete for its cores.`,
    `Tasks: ${tasks} per topology (+${warmup} warm-up, not counted), one at a time with runtime.tasks.run(), each ` +
      'topology on its own test runtime (temp SQLite file, WAL); the measured tasks take turns across topologies ' +
      '(one of each, then again), so a slow spell of the machine does not land on one topology. Agents have a ' +
      'role and no tools. Every task is checked to have succeeded and ended the intended way (e.g. ' +
      'hierarchical: one round then final).',
    'Model: the scripted fake LanguageModelV3; free-text calls get a fixed answer, structured calls ' +
      '(responseFormat json) get JSON chosen by the topology scenario. Wall = runtime.tasks.run() submit → result.',
    'In model/task = the union of the intervals spent inside doStream (parallel calls overlap, so they are ' +
      'not counted twice), mean per task. Overhead = wall − in model, per task; overhead/call = that ÷ the ' +
      "task's model calls (for topologies that run agents in parallel this is CPU work per call, not latency).",
    'Steps = journaled steps of the measured tasks, counted in the database; journal steps/s = those steps ÷ ' +
      'the total wall time of the measured tasks.',
  ];
  process.stdout.write(`${notes.map((n) => `- ${n}`).join('\n')}\n`);
  if (failed.length > 0) {
    process.stderr.write(`\nFAILED topologies:\n${failed.map((f) => `- ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

interface Distribution {
  p50: number;
  p95: number;
}

interface TopologyMeasurement {
  wall: Distribution;
  overhead: Distribution;
  overheadPerCall: Distribution;
  modelMsPerTask: number;
  callsPerTask: number;
  stepsPerTask: number;
  stepsPerSecond: number;
}

/** Total length of the union of intervals (overlapping parallel calls count once). */
function unionMs(spans: readonly { start: number; end: number }[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let total = 0;
  let current: { start: number; end: number } | undefined;
  for (const span of sorted) {
    if (current && span.start <= current.end) {
      current.end = Math.max(current.end, span.end);
    } else {
      if (current) total += current.end - current.start;
      current = { ...span };
    }
  }
  return current ? total + (current.end - current.start) : 0;
}

/** The fake model's turn for a call, from the scenario's reply. */
function scriptFor(scenario: Scenario): (call: FakeCall) => FakeTurn {
  return (call) => {
    const ask: Ask = {
      agent: agentOf(call.options),
      fields: fieldsOf(call.options),
      prompt: userText(call.options),
    };
    const reply = scenario.reply(ask);
    if (ask.fields.length > 0 && typeof reply === 'string') {
      throw new Error(
        `${scenario.team.topology}: '${ask.agent}' was asked for JSON (${ask.fields.join(', ')})`,
      );
    }
    const text = typeof reply === 'string' ? reply : JSON.stringify(reply);
    return { text, usage: { inputTokens: 50, outputTokens: 8 } };
  };
}

/** The calling agent's name, from the system prompt (`You are NAME, ROLE.`). */
function agentOf(options: LanguageModelV3CallOptions): string {
  const system = options.prompt.find((m) => m.role === 'system');
  const match = system ? /^You are ([A-Za-z0-9_.-]+), /.exec(system.content) : null;
  if (!match?.[1]) throw new Error('no agent name in the system prompt (every bench agent has a role)');
  return match[1];
}

/** Top-level properties of the JSON schema the call asks for, if any. */
function fieldsOf(options: LanguageModelV3CallOptions): string[] {
  const format = options.responseFormat;
  if (format?.type !== 'json' || !format.schema) return [];
  const properties = (format.schema as { properties?: Record<string, unknown> }).properties;
  return Object.keys(properties ?? {});
}

/** The text of the user messages of a call. */
function userText(options: LanguageModelV3CallOptions): string {
  return options.prompt
    .flatMap((m) => (m.role === 'user' ? m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])) : []))
    .join('\n');
}

/** One topology under measurement: its runtime, the timed model, and the samples so far. */
interface TopologyRun {
  scenario: Scenario;
  runOne(): Promise<{ id: string; wall: number; inModel: number; calls: number }>;
  home: string;
  dispose(): Promise<void>;
  samples: { id: string; wall: number; inModel: number; calls: number }[];
  error?: string;
}

async function startTopologyRun(scenario: Scenario): Promise<TopologyRun> {
  const timing: ModelTiming = { spans: [] };
  const fake = createFakeLanguageModel({ script: scriptFor(scenario) });
  const model = timed(fake, timing);
  const test = await createTestRuntime({
    // The default memory settings (test runtimes are text-only unless told otherwise): headline
    // figures measure the default configuration.
    config: { memory: { embeddings: 'use-lite' } },
    runtime: { providers: [createFakeProvider({ models: { scripted: model } })] },
  });
  const { topology } = scenario.team;
  return {
    scenario,
    home: test.home,
    samples: [],
    dispose: () => test.dispose(),
    async runOne() {
      timing.spans.length = 0;
      // The fake keeps every call (prompt included) for tests; drop them so memory stays flat.
      fake.calls.length = 0;
      const started = performance.now();
      const result = await test.runtime.tasks.run({ prompt: scenario.prompt, team: scenario.team });
      const wall = performance.now() - started;
      if (result.status !== 'succeeded')
        throw new Error(`${topology}: task ${result.id} ${result.status}: ${result.error?.message}`);
      const wrong = scenario.check?.((result.details ?? {}) as Record<string, Json | undefined>);
      if (wrong) throw new Error(`${topology}: task ${result.id} did not end as intended: ${wrong}`);
      return { id: result.id, wall, inModel: unionMs(timing.spans), calls: timing.spans.length };
    },
  };
}

/**
 * Measures every scenario: warm-up tasks for each, then the measured tasks in turns (one task of
 * each topology per turn). A topology that fails is reported as an error and leaves the turns; the
 * others carry on.
 */
async function measureTopologies(
  scenarios: readonly Scenario[],
  options: { tasks: number; warmup: number },
): Promise<(TopologyMeasurement | { error: string })[]> {
  const runs: TopologyRun[] = [];
  const attempt = async (run: TopologyRun, task: () => Promise<void>): Promise<void> => {
    if (run.error !== undefined) return;
    try {
      await task();
    } catch (error) {
      run.error = error instanceof Error ? error.message : String(error);
    }
  };
  try {
    for (const scenario of scenarios) runs.push(await startTopologyRun(scenario));
    for (const run of runs) {
      process.stdout.write(`  warm-up: ${run.scenario.team.topology}…\n`);
      await attempt(run, async () => {
        for (let i = 0; i < options.warmup; i++) await run.runOne();
      });
    }
    process.stdout.write(`  measuring ${options.tasks} turns…\n`);
    for (let i = 0; i < options.tasks; i++) {
      for (const run of runs) await attempt(run, async () => void run.samples.push(await run.runOne()));
    }
    return runs.map((run) => (run.error !== undefined ? { error: run.error } : summarise(run)));
  } finally {
    for (const run of runs) await run.dispose();
  }
}

function summarise(run: TopologyRun): TopologyMeasurement {
  const { samples } = run;
  const wall = samples.map((s) => s.wall);
  const overhead = samples.map((s) => s.wall - s.inModel);
  const perCall = samples.map((s) => (s.wall - s.inModel) / s.calls);
  const steps = countSteps(
    join(run.home, 'agentd.db'),
    samples.map((s) => s.id),
  );
  return {
    wall: { p50: percentile(wall, 50), p95: percentile(wall, 95) },
    overhead: { p50: percentile(overhead, 50), p95: percentile(overhead, 95) },
    overheadPerCall: { p50: percentile(perCall, 50), p95: percentile(perCall, 95) },
    modelMsPerTask: sum(samples.map((s) => s.inModel)) / samples.length,
    callsPerTask: sum(samples.map((s) => s.calls)) / samples.length,
    stepsPerTask: steps / samples.length,
    stepsPerSecond: steps / (sum(wall) / 1000),
  };
}

/** A per-task count: whole numbers as such, otherwise one decimal. */
function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
