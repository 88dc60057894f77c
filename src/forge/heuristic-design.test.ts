import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareTeam } from '../topology/index.js';
import { heuristicDesign } from './heuristic-design.js';
import { toTeamSpec } from './team-design.js';
import { validateDesign } from './validate-design.js';

const BUILTIN = ['read_file', 'write_file', 'list_files', 'current_time'];

describe('heuristic design', () => {
  it('gives a short, one-part task a single agent without tools', () => {
    const design = heuristicDesign({ task: 'Write a haiku about the sea.', toolNames: BUILTIN });
    expect(design.topology).toBe('single');
    expect(design.agents).toHaveLength(1);
    expect(design.agents[0]).toMatchObject({ name: 'assistant', tools: [] });
    expect(design.rationale).toContain('short (6 words) and has one part');
    expect(design.rationale).toContain('No tools');
    expect(design.rubric).toBeUndefined();
    expect(design.checks).toBeUndefined();
  });

  it('gives file tools when the task mentions files, and current_time when it mentions dates', () => {
    const files = heuristicDesign({ task: 'Summarise notes.md into a new file.', toolNames: BUILTIN });
    expect(files.agents[0]?.tools).toEqual(['read_file', 'write_file', 'list_files']);
    expect(files.rationale).toContain('the task mentions files');
    const time = heuristicDesign({ task: 'How many days until Christmas?', toolNames: BUILTIN });
    expect(time.agents[0]?.tools).toEqual(['current_time']);
    expect(time.rationale).toContain('current_time: the task mentions dates or time');
  });

  it('never gives a tool that is not available', () => {
    const design = heuristicDesign({
      task: 'Read the files in the workspace and tell me what changed today.',
      toolNames: ['list_files'],
    });
    expect(design.agents[0]?.tools).toEqual(['list_files']);
  });

  it('gives a multi-part task a sequential researcher → writer team', () => {
    const task = [
      'Prepare a briefing on heat pumps:',
      '- how they work',
      '- what they cost to install',
      '- which subsidies exist',
    ].join('\n');
    const design = heuristicDesign({ task, taskKind: 'writing', toolNames: BUILTIN });
    expect(design.topology).toBe('sequential');
    expect(design.agents.map((a) => a.name)).toEqual(['researcher', 'writer']);
    expect(design.rationale).toContain('it lists 3 items');
  });

  it('gives a long code task a planner → implementer → reviewer team that sees all outputs', () => {
    const task = `Implement a rate limiter in TypeScript. ${'It must support bursts and sliding windows. '.repeat(12)}`;
    const design = heuristicDesign({ task, taskKind: 'code', toolNames: BUILTIN });
    expect(design.agents.map((a) => a.name)).toEqual(['planner', 'implementer', 'reviewer']);
    expect(design.options).toEqual({ handoff: 'all' });
    expect(design.rationale).toMatch(/it is long \(\d+ words\)/);
  });

  it('reads code cues from the text only when no task kind is given', () => {
    const task = 'Fix the bug in this function.';
    expect(heuristicDesign({ task, toolNames: BUILTIN }).agents[0]?.name).toBe('engineer');
    expect(heuristicDesign({ task, taskKind: 'chat', toolNames: BUILTIN }).agents[0]?.name).toBe('assistant');
  });

  it('is deterministic and always makes a team that passes the topology rules (property)', () => {
    const fragments = [
      'Write a poem.',
      'Fix the bug in parser.ts.',
      'What is the date today?',
      'Then summarise it.',
      'Also list the risks.',
      '- first item',
      '1. step one',
      'Why? How?',
      'Save it to report.md in the workspace.',
      '```ts\nconst x = 1;\n```',
      'lorem ipsum dolor sit amet '.repeat(20),
      '',
      '   ',
      'é ü 漢字 🙂',
    ];
    const task = fc.oneof(
      fc.array(fc.constantFrom(...fragments), { maxLength: 8 }).map((parts) => parts.join('\n')),
      fc.string({ maxLength: 400 }),
    );
    const kind = fc.option(fc.constantFrom('code', 'writing', 'chat', 'math'), { nil: undefined });
    const tools = fc.subarray(BUILTIN);
    fc.assert(
      fc.property(task, kind, tools, (text, taskKind, toolNames) => {
        const input = { task: text, taskKind, toolNames };
        const design = heuristicDesign(input);
        expect(heuristicDesign(input)).toEqual(design);
        const checked = validateDesign(design, { teamName: 'forge', toolNames });
        expect(checked).toMatchObject({ ok: true });
        expect(() => prepareTeam(toTeamSpec(design, 'forge'))).not.toThrow();
        expect(design.agents.length).toBeLessThanOrEqual(3);
        expect(design.rationale.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
