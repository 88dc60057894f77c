import { describe, expect, it } from 'vitest';
import { AgentdError, BudgetExceededError } from '../core/errors.js';
import { describeProcedure } from '../memory/index.js';
import type { ProcedureRecord } from '../store/procedure-store.js';
import { prepareTeam } from '../topology/index.js';
import { designTeam } from './design-team.js';
import type { DesignRequest } from './design-team.js';
import { FEEDBACK_HEADER, FORGE_INSTRUCTIONS, REPAIR_HEADER } from './forge-prompt.js';
import { TeamDesignSchema } from './team-design.js';

/** A scripted `ask`: answers in order (an Error is thrown), and every request it received. */
function scriptedAsk(answers: unknown[]) {
  const requests: DesignRequest[] = [];
  const ask = async (request: DesignRequest): Promise<unknown> => {
    requests.push(request);
    if (requests.length > answers.length) throw new Error('the script has no more answers');
    const answer = answers[requests.length - 1];
    if (answer instanceof Error) throw answer;
    return structuredClone(answer);
  };
  return { ask, requests };
}

const TASK = 'Research the history of the printing press and write a two-page essay about it.';

const researchTeam = {
  topology: 'sequential',
  options: { handoff: 'last' },
  agents: [
    {
      name: 'researcher',
      role: 'Researcher',
      instructions: 'Collect the key dates, people and effects of the printing press as notes.',
      tools: [],
    },
    {
      name: 'writer',
      role: 'Writer',
      instructions: 'Write a two-page essay from the notes.',
      tools: ['write_file'],
      requirements: { tools: true },
    },
  ],
  rubric: {
    criteria: [
      { name: 'accuracy', description: 'Dates and names are correct.', weight: 2 },
      { name: 'clarity', description: 'The essay reads well.', weight: 1 },
    ],
    threshold: 0.7,
  },
  checks: [{ type: 'length', min: 600, unit: 'words' }],
  budget: { usd: 0.05 },
  rationale: 'Research and writing are different skills, so two agents in sequence.',
};

/** A dag whose writer depends on an agent the team does not have. */
const brokenDag = {
  topology: 'dag',
  options: {},
  agents: [
    { name: 'researcher', role: 'Researcher', instructions: 'Collect notes.', tools: [] },
    {
      name: 'writer',
      role: 'Writer',
      instructions: 'Write the essay.',
      tools: [],
      dependsOn: ['researcher', 'editor'],
    },
  ],
  rationale: 'A dag so the writer waits for the research.',
};

function procedure(overrides: Partial<ProcedureRecord>): ProcedureRecord {
  return {
    tenant: 'default',
    taskKind: 'code',
    topology: 'sequential',
    teamSignature: 'planner>coder#0badc0de',
    models: 'openai/gpt-4o-mini',
    memoryId: 'mem_1',
    count: 10,
    passes: 9,
    totalCostUsd: 0.04,
    totalDurationMs: 120_000,
    firstAt: 1,
    lastAt: 2,
    ...overrides,
  };
}

const coderTeam = {
  topology: 'sequential',
  options: {},
  agents: [
    { name: 'planner', role: 'Planner', instructions: 'Plan the parser.', tools: [] },
    { name: 'coder', role: 'Coder', instructions: 'Write the parser from the plan.', tools: [] },
  ],
  rationale: 'Plan first, then code.',
};

describe('designTeam', () => {
  it('passes a valid model design through as a team the topology accepts', async () => {
    const { ask, requests } = scriptedAsk([researchTeam]);
    const result = await designTeam({ task: TASK, taskKind: 'writing', ask });
    expect(result.source).toBe('model');
    expect(result.attempts).toBe(1);
    expect(result.errors).toEqual([]);
    expect(result.preferred).toBeUndefined();
    expect(result.team).toMatchObject({
      name: 'forge',
      topology: 'sequential',
      options: { handoff: 'last' },
      budget: { usd: 0.05 },
    });
    expect(result.team.agents.map((a) => a.name)).toEqual(['researcher', 'writer']);
    expect(result.team.agents[1]?.requirements).toEqual({ tools: true });
    expect(() => prepareTeam(result.team)).not.toThrow();
    expect(result.design.rubric?.threshold).toBe(0.7);
    expect(result.design.checks).toEqual([{ type: 'length', min: 600, unit: 'words' }]);
    expect(result.design.rationale).toBe(researchTeam.rationale);

    const [request] = requests;
    expect(request?.instructions).toBe(FORGE_INSTRUCTIONS);
    expect(request?.schema).toBe(TeamDesignSchema);
    expect(request?.attempt).toBe(1);
    expect(request?.prompt).toContain(TASK);
    expect(request?.prompt).toContain('Task kind: writing');
    // The topologies (with their options) and the tools the model may choose from.
    expect(request?.prompt).toContain('- dag: Agents form a dependency graph');
    expect(request?.prompt).toContain('handoff: "last" | "all" (default "last")');
    expect(request?.prompt).toMatch(/- read_file: \S/);
    expect(request?.prompt).toMatch(/- current_time: \S/);
  });

  it('repairs an invalid design once, with the validation error verbatim in the second prompt', async () => {
    const fixed = {
      ...brokenDag,
      agents: [brokenDag.agents[0], { ...brokenDag.agents[1], dependsOn: ['researcher'] }],
    };
    const { ask, requests } = scriptedAsk([brokenDag, fixed]);
    const result = await designTeam({ task: TASK, taskKind: 'writing', ask });
    const message =
      "dag: agent 'writer' depends on 'editor', which is not an agent of the team (agents: researcher, writer)";
    expect(result.source).toBe('repaired');
    expect(result.attempts).toBe(2);
    expect(result.errors).toEqual([`attempt 1: ${message}`]);
    expect(requests[1]?.attempt).toBe(2);
    expect(requests[1]?.prompt).toContain(requests[0]?.prompt);
    expect(requests[1]?.prompt).toContain(REPAIR_HEADER);
    expect(requests[1]?.prompt).toContain(message);
    expect(requests[1]?.prompt).toContain('"editor"');
    expect(result.team.topology).toBe('dag');
    expect(() => prepareTeam(result.team)).not.toThrow();
  });

  it('repairs an unknown topology with the schema error', async () => {
    const { ask, requests } = scriptedAsk([{ ...researchTeam, topology: 'swarm' }, researchTeam]);
    const result = await designTeam({ task: TASK, taskKind: 'writing', ask });
    expect(result.source).toBe('repaired');
    expect(result.errors).toHaveLength(1);
    const error = result.errors[0]?.replace(/^attempt 1: /, '') ?? '';
    expect(error).toMatch(/^topology: Invalid option: expected one of "single"\|"sequential"/);
    expect(requests[1]?.prompt).toContain(`- ${error}\n`);
  });

  it('refuses tools that do not exist, the delegate tool among them', async () => {
    const withTools = {
      ...coderTeam,
      agents: [
        { ...coderTeam.agents[0], tools: ['web_search'] },
        { ...coderTeam.agents[1], tools: ['delegate'] },
      ],
    };
    const { ask, requests } = scriptedAsk([withTools, coderTeam]);
    const result = await designTeam({
      task: 'Write a parser.',
      taskKind: 'code',
      ask,
      tools: [{ name: 'read_file', description: 'Reads a file.' }],
    });
    expect(result.source).toBe('repaired');
    expect(requests[1]?.prompt).toContain(
      "agent 'planner' uses tool 'web_search', which is not available (available: read_file)",
    );
    expect(requests[1]?.prompt).toContain(
      "agent 'coder' lists the delegate tool; name its teammates in delegates instead",
    );
    expect(requests[0]?.prompt).toContain('- read_file: Reads a file.');
    expect(requests[0]?.prompt).not.toContain('- write_file:');
  });

  it("sends the caller's own rule violations back for repair", async () => {
    const { ask, requests } = scriptedAsk([researchTeam, { ...researchTeam, checks: [] }]);
    const result = await designTeam({
      task: TASK,
      taskKind: 'writing',
      ask,
      validate: (design) =>
        (design.checks ?? [])
          .filter((check) => check.type === 'length' && check['unit'] === 'words')
          .map(() => 'checks[0]: length checks count chars here'),
    });
    expect(result.source).toBe('repaired');
    expect(requests[1]?.prompt).toContain('- checks[0]: length checks count chars here');
  });

  it('falls back to the heuristic design when the design is invalid twice', async () => {
    const { ask, requests } = scriptedAsk([brokenDag, brokenDag]);
    const result = await designTeam({ task: 'Write a haiku about autumn.', taskKind: 'writing', ask });
    expect(requests).toHaveLength(2);
    expect(result.source).toBe('heuristic');
    expect(result.attempts).toBe(2);
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(/^attempt 1: dag: agent 'writer' depends on 'editor'/);
    expect(result.errors[1]).toMatch(/^attempt 2: dag: agent 'writer' depends on 'editor'/);
    expect(result.team.topology).toBe('single');
    expect(result.design.rationale).toContain('Heuristic design from the task text.');
    expect(result.design.rationale).toContain("Used because the model's design was invalid twice");
    expect(() => prepareTeam(result.team)).not.toThrow();
  });

  it('falls back to the heuristic design without a second call when ask throws', async () => {
    const { ask, requests } = scriptedAsk([new Error('no model is configured')]);
    const result = await designTeam({ task: 'What time is it in Tokyo now?', taskKind: 'chat', ask });
    expect(requests).toHaveLength(1);
    expect(result.source).toBe('heuristic');
    expect(result.attempts).toBe(1);
    expect(result.errors).toEqual(['attempt 1: the design call failed: no model is configured']);
    expect(result.design.rationale).toContain(
      'Used because the design call failed (no model is configured).',
    );
    expect(result.team.agents[0]?.tools).toEqual(['current_time']);
  });

  it('falls back when the repair call throws', async () => {
    const { ask } = scriptedAsk([
      brokenDag,
      new AgentdError({ code: 'agent.invalid_output', message: 'bad' }),
    ]);
    const result = await designTeam({ task: TASK, taskKind: 'writing', ask });
    expect(result.source).toBe('heuristic');
    expect(result.attempts).toBe(2);
    expect(result.errors[1]).toBe('attempt 2: the design call failed: bad');
  });

  it('rethrows errors that end the task instead of falling back', async () => {
    const exceeded = new BudgetExceededError({ message: 'the task budget is spent' });
    const { ask } = scriptedAsk([exceeded]);
    await expect(designTeam({ task: TASK, taskKind: 'writing', ask })).rejects.toBe(exceeded);
    const cancelled = new AgentdError({ code: 'task.cancelled', message: 'cancelled' });
    await expect(
      designTeam({ task: TASK, taskKind: 'writing', ask: scriptedAsk([cancelled]).ask }),
    ).rejects.toBe(cancelled);
  });

  it('prefers the procedure with a good record, in the prompt and in the rationale', async () => {
    const good = procedure({});
    const otherKind = procedure({ taskKind: 'writing', teamSignature: 'drafter#11111111' });
    const young = procedure({ teamSignature: 'coder#22222222', topology: 'single', count: 2, passes: 2 });
    const { ask, requests } = scriptedAsk([coderTeam]);
    const result = await designTeam({
      task: 'Write a CSV parser in TypeScript.',
      taskKind: 'code',
      procedures: [young, otherKind, good],
      ask,
    });
    const prompt = requests[0]?.prompt ?? '';
    expect(prompt).toContain('# Designs that worked before for code tasks');
    expect(prompt).toContain(`- (preferred) ${describeProcedure(good)}`);
    expect(prompt).toContain(`- ${describeProcedure(young)}\n`);
    expect(prompt).not.toContain('drafter');
    expect(prompt).toContain(
      'use its topology (sequential) and its agents in the same order (planner, coder)',
    );
    // The preferred one comes first.
    expect(prompt.indexOf('planner>coder')).toBeLessThan(prompt.indexOf('(coder)'));

    expect(result.source).toBe('procedure');
    expect(result.preferred).toBe(good);
    expect(result.design.rationale).toBe(
      'Prefers sequential planner>coder: passed 9 of 10 similar code tasks at $0.0040 mean. Plan first, then code.',
    );
  });

  it('names the preferred procedure when the design departs from it', async () => {
    const { ask } = scriptedAsk([{ ...coderTeam, topology: 'single', agents: [coderTeam.agents[1]] }]);
    const result = await designTeam({
      task: 'Write a CSV parser.',
      taskKind: 'code',
      procedures: [procedure({})],
      ask,
    });
    expect(result.source).toBe('model');
    expect(result.design.rationale).toBe(
      'Departs from sequential planner>coder: passed 9 of 10 similar code tasks at $0.0040 mean. Plan first, then code.',
    );
  });

  it('names the preferred procedure when it falls back to the heuristic', async () => {
    const { ask } = scriptedAsk([new Error('down')]);
    const result = await designTeam({
      task: 'Write a CSV parser.',
      taskKind: 'code',
      procedures: [procedure({})],
      ask,
    });
    expect(result.source).toBe('heuristic');
    expect(result.design.rationale).toContain('Sequential planner>coder: passed 9 of 10 similar code tasks');
  });

  it('does not prefer a procedure with too few runs or too many failures', async () => {
    const { ask, requests } = scriptedAsk([coderTeam]);
    const result = await designTeam({
      task: 'Write a CSV parser.',
      taskKind: 'code',
      procedures: [
        procedure({ count: 2, passes: 2 }),
        procedure({ teamSignature: 'a>b#1', count: 10, passes: 7 }),
      ],
      ask,
    });
    expect(result.preferred).toBeUndefined();
    expect(result.source).toBe('model');
    expect(requests[0]?.prompt).not.toContain('(preferred)');
    expect(requests[0]?.prompt).toContain('None of these has enough runs and passes to be sure of');
  });

  it("puts a rejected round's feedback verbatim in the prompt, and keeps it in the repair", async () => {
    const feedback = [
      'Issues:',
      '- [critical] correctness: the essay dates the Gutenberg Bible to 1600.',
      'Suggestions:',
      '- Add a fact-checker before the writer.',
    ].join('\n');
    const { ask, requests } = scriptedAsk([brokenDag, researchTeam]);
    await designTeam({ task: TASK, taskKind: 'writing', feedback, ask });
    for (const request of requests) {
      expect(request.prompt).toContain(FEEDBACK_HEADER);
      expect(request.prompt).toContain(feedback);
    }
  });

  it('puts the recalled memory in the prompt and leaves out empty sections', async () => {
    const recalled = 'Relevant memories:\n- The user writes in British English.';
    const first = scriptedAsk([researchTeam]);
    await designTeam({ task: TASK, taskKind: 'writing', recalled, ask: first.ask });
    expect(first.requests[0]?.prompt).toContain(`# Recalled memory\n${recalled}`);

    const bare = scriptedAsk([researchTeam]);
    await designTeam({ task: TASK, taskKind: 'writing', recalled: '  ', ask: bare.ask });
    const prompt = bare.requests[0]?.prompt ?? '';
    expect(prompt).not.toContain('# Recalled memory');
    expect(prompt).not.toContain(FEEDBACK_HEADER);
    expect(prompt).not.toContain('# Designs that worked before');
  });

  it('accepts nulls for fields left out and drops empty relation lists', async () => {
    const withNulls = {
      ...coderTeam,
      options: null,
      rubric: null,
      checks: null,
      budget: null,
      agents: coderTeam.agents.map((agent) => ({
        ...agent,
        requirements: null,
        dependsOn: [],
        parent: null,
        delegates: [],
      })),
    };
    const { ask } = scriptedAsk([withNulls]);
    const result = await designTeam({
      task: 'Write a parser.',
      taskKind: 'code',
      ask,
      teamName: 'parser-team',
    });
    expect(result.source).toBe('model');
    expect(result.team).toEqual({
      name: 'parser-team',
      topology: 'sequential',
      options: {},
      agents: coderTeam.agents,
    });
  });
});
