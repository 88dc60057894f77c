import { z } from 'zod';
import type { AgentSpec, TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import './topology-error-codes.js';
import type { Json } from '../core/json.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, agentsExcept, composePrompt, majorityAnswer, normalizeAnswer } from './team-helpers.js';
import { defineTopology } from './topology.js';

const GridOptionsSchema = z.strictObject({
  /** Cells per row; the default is the square root of the number of cells, rounded up. */
  columns: z.number().int().min(1).optional(),
  /** Rounds at most, the first (independent answers) included. */
  maxRounds: z.number().int().min(1).max(20).default(3),
  /** An agent outside the grid that synthesises the cells' final answers; without one the majority answer wins. */
  aggregator: z.string().min(1).optional(),
});

type GridOptions = z.infer<typeof GridOptionsSchema>;

/** Why a grid run stopped. */
type GridEnd = 'stable' | 'max-rounds';

/** A cell that failed in a round (`round` counted from 1). */
type CellFailure = { round: number; agent: string; error: { code: string; message: string } };

/** One cell: its agent and place in the grid (row and column from 0). */
interface GridCell {
  agent: AgentSpec;
  index: number;
  row: number;
  column: number;
}

/**
 * Agents in rows × columns (the last row may be partial). Round 1: every cell answers the task; each
 * later round every cell refines its answer from the task, its own latest answer and those of its
 * up/down/left/right neighbours, all in parallel, until no cell's normalised answer changes or
 * `maxRounds`. The result is the aggregator's synthesis, or else the majority answer (ties go to the
 * earlier cell). A cell failing in round 1 is excluded from the grid; a cell failing later keeps its
 * previous answer; both are reported. A round in which every cell fails fails the run.
 */
export const gridTopology = defineTopology({
  name: 'grid',
  description:
    'Agents in a grid refine their answers from their neighbours until they settle; majority or aggregator.',
  options: GridOptionsSchema,
  validate(team, options) {
    const aggregator = options.aggregator
      ? agentNamed(team, 'grid', 'aggregator', options.aggregator)
      : undefined;
    const cells = agentsExcept(team, aggregator);
    if (cells.length < 2) {
      throw invalidTeam(
        'grid',
        `needs at least 2 cells (agents other than the aggregator), the team has ${cells.length}`,
      );
    }
    if (options.columns !== undefined && options.columns > cells.length) {
      throw invalidTeam(
        'grid',
        `options.columns is ${options.columns}, but the grid has only ${cells.length} cells`,
      );
    }
  },
  async run(team, options, ctx) {
    const aggregator = options.aggregator
      ? agentNamed(team, 'grid', 'aggregator', options.aggregator)
      : undefined;
    const { cells, rows, columns } = layOut(team, options, aggregator);
    const failures: CellFailure[] = [];
    const excluded: string[] = [];
    const answers = new Map<number, string>();

    const first = await ctx.scope('round-1').parallel(
      cells.map(
        (cell) => (branch) =>
          branch.runAgent(cell.agent, {
            prompt: composePrompt(
              ctx.prompt,
              [],
              `(You are the cell at row ${cell.row + 1}, column ${cell.column + 1} of a ${rows}×${columns} grid of agents.` +
                ' Answer the task; in later rounds you will see your neighbours’ answers.)',
            ),
          }),
      ),
    );
    first.forEach((outcome, i) => {
      const cell = cells[i] as GridCell;
      if (outcome.ok) answers.set(cell.index, outcome.value.output);
      else {
        excluded.push(cell.agent.name);
        failures.push(failureEntry(1, cell.agent.name, outcome.error));
      }
    });
    if (answers.size === 0) throw allFailed(1, failures);
    const active = cells.filter((cell) => answers.has(cell.index));

    let round = 1;
    let endedBy: GridEnd = 'max-rounds';
    while (round < options.maxRounds) {
      round++;
      const previous = new Map(answers);
      const settled = await ctx.scope(`round-${round}`).parallel(
        active.map(
          (cell) => (branch) =>
            branch.runAgent(cell.agent, {
              prompt: refinePrompt(ctx.prompt, cell, previous, cells, {
                rows,
                columns,
                round,
                maxRounds: options.maxRounds,
              }),
            }),
        ),
      );
      const roundFailures: CellFailure[] = [];
      let changed = false;
      settled.forEach((outcome, i) => {
        const cell = active[i] as GridCell;
        if (!outcome.ok) {
          roundFailures.push(failureEntry(round, cell.agent.name, outcome.error));
          return;
        }
        if (normalizeAnswer(outcome.value.output) !== normalizeAnswer(previous.get(cell.index) ?? ''))
          changed = true;
        answers.set(cell.index, outcome.value.output);
      });
      failures.push(...roundFailures);
      if (roundFailures.length === active.length) throw allFailed(round, roundFailures);
      if (!changed) {
        endedBy = 'stable';
        break;
      }
    }

    const finals = active.map((cell) => ({ cell, answer: answers.get(cell.index) ?? '' }));
    const shape: Json = { rows, columns, cells: cells.map((c) => c.agent.name) };
    const common = { rounds: round, endedBy, grid: shape, excluded, failures };
    if (aggregator) {
      const synthesis = await ctx.runAgent(aggregator, {
        prompt: composePrompt(
          ctx.prompt,
          finals.map(({ cell, answer }) => ({
            label: `Answer of ${cell.agent.name} (${place(cell)})`,
            text: answer,
          })),
          `(You are the aggregator of a ${rows}×${columns} grid of agents. Synthesise their final answers above` +
            ' into one best answer to the task.)',
        ),
      });
      return {
        output: synthesis.output,
        details: { ...common, result: 'aggregator', aggregator: aggregator.name },
      };
    }
    // Active cells are in grid order, so a tie goes to the earlier cell.
    const majority = majorityAnswer(finals.map((f) => f.answer));
    return {
      output: majority?.answer ?? '',
      details: { ...common, result: 'majority', votes: majority?.votes ?? 0, total: majority?.total ?? 0 },
    };
  },
});

/** The cells in grid order with their places, and the grid's shape. */
function layOut(
  team: TeamSpec,
  options: GridOptions,
  aggregator: AgentSpec | undefined,
): { cells: GridCell[]; rows: number; columns: number } {
  const agents = agentsExcept(team, aggregator);
  const columns = options.columns ?? Math.ceil(Math.sqrt(agents.length));
  const cells = agents.map((agent, index) => ({
    agent,
    index,
    row: Math.floor(index / columns),
    column: index % columns,
  }));
  return { cells, rows: Math.ceil(agents.length / columns), columns };
}

/** A cell's place for labels, counted from 1. */
function place(cell: GridCell): string {
  return `row ${cell.row + 1}, column ${cell.column + 1}`;
}

/** A later round's prompt: the task, the cell's own latest answer and its live neighbours' latest answers. */
function refinePrompt(
  task: string,
  cell: GridCell,
  answers: ReadonlyMap<number, string>,
  cells: readonly GridCell[],
  grid: { rows: number; columns: number; round: number; maxRounds: number },
): string {
  const at = (row: number, column: number): GridCell | undefined =>
    column >= 0 && column < grid.columns ? cells[row * grid.columns + column] : undefined;
  const neighbours: [string, GridCell | undefined][] = [
    ['above', at(cell.row - 1, cell.column)],
    ['below', at(cell.row + 1, cell.column)],
    ['left', at(cell.row, cell.column - 1)],
    ['right', at(cell.row, cell.column + 1)],
  ];
  const sections = [{ label: 'Your previous answer', text: answers.get(cell.index) ?? '' }];
  for (const [direction, neighbour] of neighbours) {
    // A cell excluded in round 1 has no answer: it is not a neighbour any more.
    const answer = neighbour ? answers.get(neighbour.index) : undefined;
    if (neighbour && answer !== undefined) {
      sections.push({ label: `Answer of ${neighbour.agent.name} (${direction})`, text: answer });
    }
  }
  return composePrompt(
    task,
    sections,
    `(Round ${grid.round} of at most ${grid.maxRounds}. You are the cell at ${place(cell)} of a ${grid.rows}×${grid.columns}` +
      ' grid. Refine your answer using your neighbours’ answers above: keep what is right, fix what is wrong.' +
      ' Reply with your complete answer only.)',
  );
}

function failureEntry(round: number, agent: string, error: AgentdError): CellFailure {
  return { round, agent, error: { code: error.code, message: error.message } };
}

/** The error when no cell could answer in a round: nothing is left to build a result from. */
function allFailed(round: number, failures: readonly CellFailure[]): AgentdError {
  const reasons = failures.map((f) => `${f.agent}: ${f.error.message}`);
  return new AgentdError({
    code: 'topology.all_agents_failed',
    message: `grid: every cell failed in round ${round} (${reasons.join('; ')})`,
    details: { topology: 'grid', round },
  });
}
