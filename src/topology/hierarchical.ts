import { z } from 'zod';
import type { AgentSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import './topology-error-codes.js';
import type { Json } from '../core/json.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, agentsExcept, composePrompt } from './team-helpers.js';
import { defineTopology } from './topology.js';
import type { TopologyContext } from './topology.js';

const SubtaskSchema = z.object({
  id: z.string().min(1),
  assignee: z.string().min(1),
  instruction: z.string().min(1),
  dependsOn: z.array(z.string()).optional(),
});

// Optional fields rather than defaults: the JSON schema sent to the model must not mark them required.
const PlanSchema = z
  .object({ subtasks: z.array(SubtaskSchema).optional(), final: z.string().min(1).optional() })
  .refine((plan) => plan.final !== undefined || (plan.subtasks?.length ?? 0) > 0, {
    message: 'give either "final" or at least one subtask',
  });

const FinalSchema = z.object({ final: z.string().min(1) });

type Plan = z.infer<typeof PlanSchema>;
type PlannedSubtask = z.infer<typeof SubtaskSchema>;

/** A subtask as run (or refused) in one round. */
interface SubtaskOutcome {
  round: number;
  id: string;
  assignee: string;
  worker: string | undefined;
  instruction: string;
  dependsOn: string[];
  ok: boolean;
  /** The worker's output, or why the subtask failed. */
  text: string;
}

const PLAN_JSON =
  '{"subtasks": [{"id": "short unique id", "assignee": "a worker\'s name or role", "instruction": "what to do", ' +
  '"dependsOn": ["ids of subtasks of this same list whose results it needs"]}]}';

/**
 * A manager splits the task into subtasks for its workers (all other agents); subtasks run in
 * parallel unless one depends on another's result (then it waits for it and sees it). The manager
 * reviews every result and answers or plans another round, up to `maxRounds`; then it must answer.
 * Tolerated and reported to the manager as failed subtasks: worker failures, unknown assignees,
 * unknown or cyclic dependencies. A manager failure fails the run.
 */
export const hierarchicalTopology = defineTopology({
  name: 'hierarchical',
  description:
    'A manager plans subtasks, workers run them (in parallel where independent), the manager reviews and answers.',
  options: z.strictObject({
    /** The manager's name; the first agent when unset. */
    manager: z.string().min(1).optional(),
    /** Rounds of subtasks before the manager must give its final answer. */
    maxRounds: z.number().int().min(1).default(3),
  }),
  validate(team, options) {
    const manager = options.manager
      ? agentNamed(team, 'hierarchical', 'manager', options.manager)
      : team.agents[0];
    const workers = agentsExcept(team, manager);
    if (workers.length < 1) {
      throw invalidTeam(
        'hierarchical',
        `needs at least 1 worker besides the manager, the team has ${workers.length}`,
      );
    }
  },
  async run(team, options, ctx) {
    const manager = options.manager
      ? agentNamed(team, 'hierarchical', 'manager', options.manager)
      : team.agents[0];
    if (!manager) throw invalidTeam('hierarchical', 'needs a manager');
    const workers = agentsExcept(team, manager);
    const roster = { label: 'Workers', text: workers.map(describeAgent).join('\n') };

    const outcomes: SubtaskOutcome[] = [];
    let plan = (
      await ctx.runAgent(manager, {
        prompt: composePrompt(
          ctx.prompt,
          [roster],
          `You are the manager. Split the task into subtasks for the workers above, up to ${options.maxRounds} ` +
            `rounds. Reply with only JSON: ${PLAN_JSON}. Subtasks without dependencies run in parallel. ` +
            `If you can answer without the workers, reply {"final": "your complete answer to the task"} instead.`,
        ),
        schema: PlanSchema,
      })
    ).data as Plan;

    let rounds = 0;
    let final: string;
    let endedBy: 'final' | 'max-rounds';
    for (;;) {
      if (plan.final !== undefined) {
        // A plan with both a final answer and subtasks ends the run: the manager said it is done.
        final = plan.final;
        endedBy = 'final';
        break;
      }
      rounds++;
      outcomes.push(...(await runRound(ctx, manager, workers, rounds, plan.subtasks ?? [])));
      const results = outcomes.map(resultSection);
      if (rounds >= options.maxRounds) {
        const answer = await ctx.runAgent(manager, {
          prompt: composePrompt(
            ctx.prompt,
            [roster, ...results],
            'You are the manager. No rounds are left. Reply with only JSON {"final": "your complete answer ' +
              'to the task"}, built from the results above.',
          ),
          schema: FinalSchema,
        });
        final = (answer.data as z.infer<typeof FinalSchema>).final;
        endedBy = 'max-rounds';
        break;
      }
      const left = options.maxRounds - rounds;
      plan = (
        await ctx.runAgent(manager, {
          prompt: composePrompt(
            ctx.prompt,
            [roster, ...results],
            `You are the manager. Review the results above. If they are enough, reply with only JSON ` +
              `{"final": "your complete answer to the task"}. Otherwise reply with only JSON ${PLAN_JSON} ` +
              `for another round (${left} ${left === 1 ? 'round' : 'rounds'} left; ids need only be unique ` +
              `within a round, and dependencies refer to subtasks of the same round).`,
          ),
          schema: PlanSchema,
        })
      ).data as Plan;
    }

    const failures: Json[] = outcomes
      .filter((o) => !o.ok)
      .map((o) => ({ round: o.round, id: o.id, assignee: o.assignee, error: o.text }));
    const subtasks: Json[] = Array.from({ length: rounds }, (_, index) =>
      outcomes
        .filter((o) => o.round === index + 1)
        .map((o) => ({
          id: o.id,
          assignee: o.assignee,
          worker: o.worker ?? null,
          instruction: o.instruction,
          dependsOn: o.dependsOn,
          ok: o.ok,
        })),
    );
    return { output: final, details: { manager: manager.name, rounds, endedBy, subtasks, failures } };
  },
});

/** One line per agent for a roster: its name, and its role when it has one. */
function describeAgent(agent: AgentSpec): string {
  return agent.role ? `- ${agent.name} (${agent.role})` : `- ${agent.name}`;
}

/** The section showing one subtask's result (or failure) to the manager. */
function resultSection(outcome: SubtaskOutcome): { label: string; text: string } {
  const by = outcome.worker ?? outcome.assignee;
  return {
    label: `Round ${outcome.round}, subtask ${outcome.id} (${by})${outcome.ok ? '' : ' FAILED'}`,
    text: `Instruction: ${outcome.instruction}\n\n${outcome.ok ? 'Result' : 'Failure'}:\n${outcome.text}`,
  };
}

/** The worker an assignee names: by exact name, then by name or role ignoring case (first in team order). */
function findWorker(workers: readonly AgentSpec[], assignee: string): AgentSpec | undefined {
  const wanted = assignee.trim().toLowerCase();
  return (
    workers.find((w) => w.name === assignee) ??
    workers.find((w) => w.name.toLowerCase() === wanted) ??
    workers.find((w) => w.role?.trim().toLowerCase() === wanted)
  );
}

/**
 * Runs one round's subtasks: each in its own parallel branch, waiting for the subtasks it depends
 * on. Subtasks that cannot run (unknown assignee, duplicate id, unknown dependency, cycle) fail
 * without a model call, and so do the ones depending on a failed subtask.
 */
async function runRound(
  ctx: TopologyContext,
  manager: AgentSpec,
  workers: readonly AgentSpec[],
  round: number,
  planned: readonly PlannedSubtask[],
): Promise<SubtaskOutcome[]> {
  const firstIndex = new Map<string, number>();
  planned.forEach((subtask, index) => {
    if (!firstIndex.has(subtask.id)) firstIndex.set(subtask.id, index);
  });
  const workerNames = workers.map((w) => w.name).join(', ');
  const refused = planned.map((subtask, index): string | undefined => {
    if (firstIndex.get(subtask.id) !== index) return `duplicate subtask id '${subtask.id}' in this round`;
    if (!findWorker(workers, subtask.assignee)) {
      return subtask.assignee === manager.name
        ? `'${subtask.assignee}' is the manager, not a worker (workers: ${workerNames})`
        : `unknown assignee '${subtask.assignee}' (workers: ${workerNames})`;
    }
    const unknown = (subtask.dependsOn ?? []).filter((id) => !firstIndex.has(id));
    if (unknown.length > 0) {
      return `depends on ${unknown.map((id) => `'${id}'`).join(', ')}, which ${unknown.length === 1 ? 'is not a subtask' : 'are not subtasks'} of this round`;
    }
    return undefined;
  });
  const dependencies = planned.map((subtask) =>
    [...new Set(subtask.dependsOn ?? [])].flatMap((id) => {
      const index = firstIndex.get(id);
      return index === undefined ? [] : [index];
    }),
  );
  // Refused subtasks do not wait for anything, so only cycles among the others could deadlock;
  // every subtask on a cycle is refused (checked against the refusals before this pass).
  const refusedBeforeCycles = [...refused];
  planned.forEach((_, index) => {
    if (refusedBeforeCycles[index] !== undefined) return;
    const cycle = cycleThrough(index, dependencies, refusedBeforeCycles);
    if (cycle) refused[index] = `dependency cycle: ${cycle.map((i) => planned[i]?.id).join(' → ')}`;
  });

  type Done = { ok: true; output: string } | { ok: false; error: string };
  const settle: ((done: Done) => void)[] = [];
  const done = planned.map(
    (_, index) =>
      new Promise<Done>((resolve) => {
        settle[index] = resolve;
      }),
  );
  const runnable: number[] = [];
  planned.forEach((_, index) => {
    const reason = refused[index];
    if (reason === undefined) runnable.push(index);
    else settle[index]?.({ ok: false, error: reason });
  });

  const settled = await ctx.parallel(
    runnable.map((index) => async (branch: TopologyContext): Promise<string> => {
      const subtask = planned[index] as PlannedSubtask;
      const resolve = settle[index] as (done: Done) => void;
      try {
        const needed = dependencies[index] ?? [];
        const inputs = await Promise.all(needed.map((i) => done[i] as Promise<Done>));
        const failed = needed.filter((_, k) => !inputs[k]?.ok).map((i) => `'${planned[i]?.id}'`);
        if (failed.length > 0) {
          throw new AgentdError({
            code: 'topology.dependency_failed',
            message: `not run: subtask ${failed.join(', ')} it depends on failed`,
          });
        }
        const sections = [
          { label: `Your subtask (${subtask.id}) from ${manager.name}`, text: subtask.instruction },
          ...needed.map((i, k) => {
            const input = inputs[k];
            return { label: `Result of subtask ${planned[i]?.id}`, text: input?.ok ? input.output : '' };
          }),
        ];
        const worker = findWorker(workers, subtask.assignee) as AgentSpec;
        const result = await branch.runAgent(worker, {
          prompt: composePrompt(ctx.prompt, sections, 'Do your subtask; reply with its result only.'),
        });
        resolve({ ok: true, output: result.output });
        return result.output;
      } catch (error) {
        // Dependents wait on this subtask's outcome; the error itself is reported by ctx.parallel.
        resolve({ ok: false, error: error instanceof Error ? error.message : String(error) });
        throw error;
      }
    }),
  );

  return planned.map((subtask, index): SubtaskOutcome => {
    const position = runnable.indexOf(index);
    const outcome = position >= 0 ? settled[position] : undefined;
    const ok = outcome?.ok === true;
    const text = outcome ? (outcome.ok ? outcome.value : outcome.error.message) : (refused[index] ?? '');
    return {
      round,
      id: subtask.id,
      assignee: subtask.assignee,
      worker: findWorker(workers, subtask.assignee)?.name,
      instruction: subtask.instruction,
      dependsOn: subtask.dependsOn ?? [],
      ok,
      text,
    };
  });
}

/** A dependency path from `start` back to itself (start first and last), skipping refused subtasks. */
function cycleThrough(
  start: number,
  dependencies: readonly number[][],
  refused: readonly (string | undefined)[],
): number[] | undefined {
  const parent = new Map<number, number>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as number;
    for (const next of dependencies[node] ?? []) {
      if (next === start) {
        const path: number[] = [];
        for (let at = node; at !== start; at = parent.get(at) as number) path.unshift(at);
        return [start, ...path, start];
      }
      if (refused[next] !== undefined) continue;
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}
