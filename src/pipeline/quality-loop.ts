import type { z } from 'zod';
import type { TeamSpec } from '../agents/index.js';
import type { Budget } from '../budget/index.js';
import type { AgentdConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { AgentdError } from '../core/errors.js';
import { countOf } from '../core/plural.js';
import '../forge/forge-error-codes.js';
import './pipeline-error-codes.js';
import { newId } from '../core/ids.js';
import { validate } from '../core/validate.js';
import { fromJson, parseJson, toJson } from '../core/json.js';
import type { Json } from '../core/json.js';
import { SYSTEM_AGENTS } from '../executor/index.js';
import type { TaskScope } from '../executor/index.js';
import type { DurableContext } from '../executor/index.js';
import { designTeam } from '../forge/index.js';
import type { DesignTeamResult } from '../forge/index.js';
import {
  calibrationGate,
  CheckSpecSchema,
  effectiveVotes,
  evaluateOutput,
  loadRubric,
  rubricHash,
  RubricSchema,
  runChecks,
  toVote,
} from '../judge/index.js';
import type {
  CalibrationReport,
  CheckSpec,
  Evaluation,
  JudgeReply,
  QualitySettings,
  Rubric,
} from '../judge/index.js';
import type { MemoryService } from '../memory/index.js';
import type { ModelRouter } from '../router/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { VerdictStore } from '../store/verdict-store.js';
import type { ReviewAnswer } from '../store/review-store.js';
import { prepareTeam, runTeam } from '../topology/index.js';
import type { PreparedTeam, TeamRunEnvironment, TopologyResult } from '../topology/index.js';
import { askSystemAgent } from './system-agents.js';
import type { TaskInput } from './task-input.js';

/** What the quality loop needs from the task it runs in. */
export interface QualityLoopInput {
  scope: TaskScope;
  input: TaskInput;
  /** The team the request named (or the default agent); Forge replaces it when asked to design. */
  prepared: PreparedTeam;
  /** The prompt with recalled memory before it. */
  prompt: string;
  /** The recalled-memory block (for Forge), or ''. */
  recalled: string;
  environment: TeamRunEnvironment;
  budget: Budget;
}

/** What the loop reports: the accepted output, the team that made it, and every round. */
export interface QualityOutcome extends TopologyResult {
  team: TeamSpec;
  /** True when a judge or check approved (or a human did); false when nothing judged it. */
  judged: boolean;
  approved: boolean;
  /** How the output was judged, in words (for the task's episode): e.g. `approved in round 2 (score 0.82)`. */
  verdict: string;
}

/** The loop's dependencies (from the runtime). */
export interface QualityLoopDependencies {
  config: AgentdConfig;
  clock: Clock;
  ledger: LedgerStore;
  verdicts: VerdictStore;
  router: ModelRouter;
  memory: MemoryService | undefined;
  /** True when the only model is the simulated one: Forge then uses its heuristic design. */
  simulatedOnly: boolean;
}

interface Round {
  round: number;
  output: string;
  team: string;
  evaluation: Evaluation;
}

/**
 * Runs the team and judges its output; a rejection feeds the judges' issues and suggestions into the
 * next round (a redesigned team when Forge designed it, else the same team's prompts), up to
 * `maxRounds` and `budgetCap` × the first round's cost, then asks a human (`quality-escalation`).
 */
export async function runQualityLoop(
  deps: QualityLoopDependencies,
  run: QualityLoopInput,
): Promise<QualityOutcome> {
  const { config, ledger } = deps;
  const { scope, input } = run;
  const settings = resolveSettings(config, input);
  // The simulated model's answers are samples of the schema, not judgements: when it is the only
  // model, only the deterministic checks judge (and the task's details say so).
  const judgesSkipped = deps.simulatedOnly && (settings.judging === 'single' || settings.judging === 'panel');
  if (judgesSkipped) settings.judging = 'checks';
  // The rubric and its latest calibration (reliability weights, whether it may gate) as the task's
  // first run saw them: journaled, so a resume after an edit or a new calibration does not mix them.
  const journaled = settings.rubric
    ? await scope.durable.step('quality:rubric', async () => {
        const loaded = await loadRubric(settings.rubric as string | Rubric, config.quality.rubricDir);
        const stored = await deps.verdicts.latestCalibration(loaded.hash);
        // A JSON-schema check's schema is typed `unknown` (the schema compiler checks it, not zod), so
        // the rubric is journaled as the JSON it came as (a file or the task input) and parsed back.
        return {
          rubric: parseJson(JSON.stringify(loaded.rubric)),
          hash: loaded.hash,
          calibration: stored ? fromJson<CalibrationReport>(stored.report) : null,
        };
      })
    : undefined;
  const rubric = journaled && {
    ...journaled,
    rubric: validate(RubricSchema, journaled.rubric, {
      where: 'journaled rubric',
      code: 'judge.invalid_rubric',
    }),
  };
  const calibration = rubric?.calibration ?? undefined;
  const taskKind = input.routing?.kind ?? deps.router.classify(input.prompt).kind;
  const useForge = input.forge === true && !input.agent && !input.team;

  let prepared = run.prepared;
  let design: DesignTeamResult | undefined;
  let checks: CheckSpec[] = settings.checks ?? [];
  let judgeRubric: Rubric | undefined = rubric?.rubric;
  let hash = rubric?.hash;
  const rounds: Round[] = [];
  let feedback = '';
  let firstRoundCost = 0;

  for (let round = 1; ; round++) {
    // Round 1 runs in the task's own scope, so an unjudged task journals exactly as before.
    const durable = round === 1 ? scope.durable : scope.durable.scope(`round:${round}`);
    if (useForge) {
      design = await forgeDesign(deps, run, { durable, feedback, taskKind });
      prepared = prepareTeam(design.team);
      // A designed rubric or checks apply when the request gave none.
      if (!rubric && design.design.rubric) {
        judgeRubric = {
          name: 'forge',
          threshold: design.design.rubric.threshold,
          criteria: design.design.rubric.criteria,
        };
        hash = rubricHash(JSON.stringify(judgeRubric));
      }
      if (!settings.checks && design.design.checks) {
        checks = design.design.checks.flatMap((c) => {
          const parsed = CheckSpecSchema.safeParse(c);
          return parsed.success ? [parsed.data] : [];
        });
      }
    }
    const judging = settings.judging !== 'off' && (judgeRubric !== undefined || checks.length > 0);
    // Where this round's model calls start in the ledger (journaled: the same on replay). An unjudged
    // task needs none, so its journal is exactly what it was before quality existed.
    const mark = judging
      ? await durable.step('quality:mark', async () => (await ledger.listByTask(scope.task.id)).length)
      : 0;
    const prompt = feedback && !useForge ? `${run.prompt}\n\n${feedback}` : run.prompt;
    const result = await runTeam(prepared, prompt, run.environment, {
      durable,
      budget: run.budget,
      span: scope.span,
    });
    const gate = judgeRubric?.requireCalibration
      ? calibrationGate({
          rubric: judgeRubric,
          rubricHash: hash ?? '',
          report: calibration,
          // A single judge gates on its own κ; a panel on the panel's.
          ...(settings.judging === 'single' && settings.judges[0] ? { judge: settings.judges[0].name } : {}),
        })
      : undefined;
    const evaluation = await judge({ durable, output: result.output, checks, rubric: judgeRubric });
    // An uncalibrated rubric that must be calibrated advises but does not gate.
    const approved =
      evaluation.approved || (gate !== undefined && !gate.allowed && evaluation.checks.every((c) => c.pass));
    rounds.push({ round, output: result.output, team: prepared.team.name, evaluation });
    if (evaluation.judged)
      await record({ durable, round, evaluation, mark, rubricName: judgeRubric?.name ?? 'checks', hash });
    if (round === 1) firstRoundCost = (await ledger.totals({ taskId: scope.task.id })).costUsd;

    // The topology's details as they were, plus what quality adds (rounds, the gate, Forge's design).
    const topologyDetails =
      result.details && typeof result.details === 'object' && !Array.isArray(result.details)
        ? result.details
        : result.details === undefined
          ? {}
          : { topology: result.details };
    const details = (): Json => ({
      ...topologyDetails,
      quality: {
        rounds: rounds.map((r) => ({
          round: r.round,
          team: r.team,
          approved: r.evaluation.approved,
          score: roundScore(r.evaluation.consensus?.score),
          failedChecks: r.evaluation.checks.filter((c) => !c.pass).map((c) => c.name),
          ...(r.evaluation.votes.length > 0
            ? {
                votes: r.evaluation.votes.map((vote) => ({
                  judge: vote.judge,
                  score: roundScore(vote.score),
                  pass: vote.pass,
                })),
              }
            : {}),
          ...(r.evaluation.unusable ? { unusableJudges: r.evaluation.unusable } : {}),
        })),
        ...(gate ? { gate: { allowed: gate.allowed, reason: gate.reason } } : {}),
        ...(judgesSkipped
          ? { judges: 'skipped: the simulated model cannot judge; only the checks ran' }
          : {}),
        ...(design ? { design: { source: design.source, rationale: design.design.rationale } } : {}),
      },
    });
    if (!evaluation.judged && !design)
      return {
        output: result.output,
        ...(result.details !== undefined ? { details: result.details } : {}),
        team: prepared.team,
        judged: false,
        approved: true,
        verdict: 'not judged',
      };
    if (approved) {
      const score = evaluation.consensus?.score;
      const verdict = !evaluation.judged
        ? 'not judged'
        : `approved in round ${round}${score !== undefined && score !== null ? ` (score ${score.toFixed(2)})` : ' (checks passed)'}`;
      return {
        output: result.output,
        details: details(),
        team: prepared.team,
        judged: true,
        approved: true,
        verdict,
      };
    }

    const spent = (await ledger.totals({ taskId: scope.task.id })).costUsd;
    const capped = firstRoundCost > 0 && spent >= settings.budgetCap * firstRoundCost;
    if (round >= settings.maxRounds || capped) {
      const answer = await scope.durable.waitForHuman(
        {
          kind: QUALITY_ESCALATION,
          question:
            `The output was rejected in ${countOf(round, 'round')} ` +
            `(${capped ? `the cost reached ${settings.budgetCap}× the first round's` : `the limit is ${countOf(settings.maxRounds, 'round')}`}). ` +
            'Approve the last output, reject it, or edit it (payload {"output": "…"}).',
          payload: {
            rounds: rounds.map((r) => ({
              round: r.round,
              output: r.output,
              approved: r.evaluation.approved,
              score: roundScore(r.evaluation.consensus?.score),
              feedback: r.evaluation.feedback,
            })),
          },
        },
        {
          // Announced like any review, so `agentd run` and event streams say the task waits.
          onRequested: (review) =>
            scope.emit('review-requested', {
              taskId: scope.task.id,
              reviewId: review.id,
              kind: review.kind,
              question: review.question,
            }),
        },
      );
      if (answer.decision === 'reject') {
        throw new AgentdError({
          code: 'quality.rejected',
          message: `a reviewer rejected the output after ${countOf(round, 'round')}${answer.note ? `: ${answer.note}` : ''}`,
          details: { review: answer.reviewId },
        });
      }
      const edited = answer.decision === 'edit' ? editedOutput(answer.payload) : undefined;
      return {
        output: edited ?? result.output,
        details: details(),
        team: prepared.team,
        judged: true,
        approved: true,
        verdict: `${edited !== undefined ? 'edited' : 'approved'} by a reviewer after ${countOf(round, 'rejected round')}`,
      };
    }
    feedback = evaluation.feedback;
  }

  /** Checks (journaled: a command check must not run twice) and the judges (model calls, journaled). */
  function judge(options: {
    durable: DurableContext;
    output: string;
    checks: CheckSpec[];
    rubric: Rubric | undefined;
  }): Promise<Evaluation> {
    const { durable } = options;
    return evaluateOutput({
      mode: settings.judging,
      task: input.prompt,
      output: options.output,
      rubric: options.rubric,
      checks: options.checks,
      judges: settings.judges,
      strategy: settings.strategy,
      ...(calibration ? { weights: calibration.weights } : {}),
      runChecks: (specs) =>
        durable.step('judge:checks', async () => {
          // Checks that look into the workspace need it, even when no tool ever made it.
          if (specs.some((spec) => spec.type === 'files' || spec.type === 'command'))
            await run.environment.agents.ensureWorkspace();
          return runChecks({
            output: options.output,
            checks: specs,
            workspace: run.environment.agents.workspace,
            allowedCommands: config.quality.allowedCommands,
            env: config.commandEnv,
            signal: durable.signal,
          });
        }),
      askJudges: async (requests) => {
        const settled = await durable.parallel(
          requests.map((request) => async (branch: DurableContext): Promise<JudgeReply> => {
            const answer = await askSystemAgent(
              { ...run, prepared },
              branch.scope(`judge:${request.judge.name}`),
              {
                name: `${SYSTEM_AGENTS.judgePrefix}${request.judge.name}`,
                instructions: request.instructions,
                model: request.judge.model,
              },
              request.prompt,
              request.schema,
            );
            return { answer: answer as JudgeReply['answer'], costUsd: 0 };
          }),
        );
        return settled.map((outcome) => {
          if (!outcome.ok) throw outcome.error;
          return outcome.value;
        });
      },
      toVote: (name, answer, costUsd) => toVote(name, options.rubric as Rubric, answer, { costUsd }),
    });
  }

  /** Stores the verdict (once, journaled) and feeds it to the router's learning. */
  async function record(options: {
    durable: DurableContext;
    round: number;
    evaluation: Evaluation;
    mark: number;
    rubricName: string;
    hash: string | undefined;
  }): Promise<void> {
    const { evaluation } = options;
    await options.durable.step('judge:verdict', async () => {
      const rows = (await ledger.listByTask(scope.task.id)).slice(options.mark);
      const judgeCost = rows
        .filter((row) => row.agent?.startsWith(SYSTEM_AGENTS.judgePrefix))
        .reduce((sum, row) => sum + row.costUsd, 0);
      const history = options.hash
        ? await deps.verdicts.listByRubric({ rubricHash: options.hash, limit: 200 })
        : [];
      const judges = evaluation.votes.map((vote) => vote.judge);
      const matrix = history.map((past) => {
        const scores = storedScores(past.votes);
        return judges.map((judge) => scores.get(judge) ?? Number.NaN);
      });
      const nEff = judges.length > 1 ? effectiveVotes(matrix, { judges: judges.length }) : undefined;
      const verdict = {
        id: newId('verdict', deps.clock.now()),
        taskId: scope.task.id,
        round: options.round,
        rubricName: options.rubricName,
        rubricHash: options.hash ?? 'none',
        mode: evaluation.mode,
        approved: evaluation.approved,
        score: evaluation.consensus?.score ?? null,
        checks: toJson(evaluation.checks),
        // Each vote with what its judge's calls of this round cost.
        votes: toJson(
          evaluation.votes.map((vote) => ({
            ...vote,
            costUsd: rows
              .filter((row) => row.agent === `${SYSTEM_AGENTS.judgePrefix}${vote.judge}`)
              .reduce((sum, row) => sum + row.costUsd, 0),
          })),
        ),
        consensus: toJson(evaluation.consensus ?? null),
        nEff: nEff?.estimated ? nEff.nEff : null,
        costUsd: judgeCost,
        createdAt: deps.clock.now(),
      };
      await deps.verdicts.add(verdict);
      // The verdict is what the models that made the output learn from (not the judges' own models).
      const score = evaluation.consensus?.score;
      for (const modelId of new Set(
        rows.filter((row) => callerIsAgent(row.agent)).map((row) => row.modelId),
      )) {
        deps.router.observe(
          score === undefined
            ? { modelId, kind: taskKind, pass: evaluation.approved }
            : { modelId, kind: taskKind, score },
        );
      }
      return verdict.id;
    });
  }
}

/** The task's quality settings over the config's defaults. */
function resolveSettings(config: AgentdConfig, input: TaskInput) {
  const own: QualitySettings = input.quality ?? {};
  return {
    judging: (own.judging ?? config.quality.judging) as 'off' | 'checks' | 'single' | 'panel',
    rubric: own.rubric ?? config.quality.rubric,
    checks: own.checks,
    strategy: own.strategy ?? config.quality.strategy,
    judges: own.judges ?? config.quality.judges,
    maxRounds: own.maxRounds ?? config.quality.maxRounds,
    budgetCap: own.budgetCap ?? config.quality.budgetCap,
  };
}

/**
 * Each judge's score in a stored verdict's votes (JSON as the verdict store keeps it); votes without
 * a numeric score count as missing.
 */
function storedScores(votes: Json): Map<string, number> {
  const scores = new Map<string, number>();
  if (!Array.isArray(votes)) return scores;
  for (const vote of votes) {
    if (vote === null || typeof vote !== 'object' || Array.isArray(vote)) continue;
    const { judge, score } = vote;
    if (typeof judge === 'string' && typeof score === 'number') scores.set(judge, score);
  }
  return scores;
}

function callerIsAgent(agent: string | null): boolean {
  return !agent?.startsWith('agentd.');
}

/** A consensus score as shown to people: three decimals, not float noise (0.7000000000000001). */
function roundScore(score: number | null | undefined): number | null {
  return score === undefined || score === null ? null : Math.round(score * 1000) / 1000;
}

/** The kind of review a task opens when its output keeps being rejected. */
export const QUALITY_ESCALATION = 'quality-escalation';

/** Refuses an edit of an escalated output that does not carry the new output as `{ "output": "…" }`. */
export function checkEscalationAnswer(answer: ReviewAnswer): void {
  if (answer.decision === 'edit' && editedOutput(answer.payload) === undefined) {
    throw new AgentdError({
      code: 'review.invalid_payload',
      message: 'an edit of a rejected output needs the new output as payload {"output": "…"} (a string)',
      details: { path: 'payload.output' },
    });
  }
}

function editedOutput(payload: Json | null): string | undefined {
  if (
    payload &&
    typeof payload === 'object' &&
    !Array.isArray(payload) &&
    typeof payload['output'] === 'string'
  ) {
    return payload['output'];
  }
  return undefined;
}

/** One Forge design for the task, its model calls journaled in the given scope. */
export async function forgeDesign(
  deps: QualityLoopDependencies,
  run: Pick<QualityLoopInput, 'scope' | 'input' | 'recalled' | 'environment' | 'budget'>,
  options: {
    durable: DurableContext;
    feedback: string;
    taskKind: string;
  },
): Promise<DesignTeamResult> {
  const { memory } = deps;
  const procedures = memory
    ? await options.durable.step('forge:procedures', () =>
        memory.procedures({
          tenant: run.input.tenant ?? deps.config.memory.tenant,
          taskKind: options.taskKind,
          limit: 10,
        }),
      )
    : [];
  return designTeam({
    task: run.input.prompt,
    taskKind: options.taskKind,
    ...(run.recalled ? { recalled: run.recalled } : {}),
    procedures,
    ...(options.feedback ? { feedback: options.feedback } : {}),
    ask: async (request) => {
      if (deps.simulatedOnly) {
        throw new AgentdError({
          code: 'forge.simulated',
          message: 'the simulated model cannot design teams',
        });
      }
      return askSystemAgent(
        run,
        options.durable.scope(`forge:${request.attempt}`),
        { name: SYSTEM_AGENTS.forge, instructions: request.instructions },
        request.prompt,
        request.schema as z.ZodType,
      );
    },
    validate: (designed) =>
      (designed.checks ?? []).flatMap((check, i) => {
        const parsed = CheckSpecSchema.safeParse(check);
        return parsed.success
          ? []
          : [`checks.${i}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`];
      }),
  });
}
