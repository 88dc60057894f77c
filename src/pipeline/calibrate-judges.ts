import { AgentdError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import '../judge/judge-error-codes.js';
import { toJson } from '../core/json.js';
import { SYSTEM_AGENTS } from '../executor/index.js';
import type { DurableContext } from '../executor/index.js';
import {
  calibrationReport,
  JUDGE_INSTRUCTIONS,
  JudgeAnswerSchema,
  judgePrompt,
  PAIRWISE_INSTRUCTIONS,
  PairwiseAnswerSchema,
  pairwisePrompt,
  positionConsistent,
  toVote,
} from '../judge/index.js';
import type {
  CalibrationReport,
  CalibrationRun,
  ConsensusStrategy,
  JudgeAnswer,
  JudgeSpec,
  Label,
  PairwiseAnswer,
  Rubric,
} from '../judge/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { VerdictStore } from '../store/verdict-store.js';
import { askSystemAgent } from './system-agents.js';
import type { SystemCallScope } from './system-agents.js';

/** Position-swapped comparisons per judge: pairs of a pass- and a fail-labelled item, both orders. */
const SWAP_PAIRS = 5;

/** What a calibration run needs. */
export interface CalibrationRequest {
  rubric: Rubric;
  rubricHash: string;
  labels: readonly Label[];
  judges: readonly JudgeSpec[];
  strategy: ConsensusStrategy;
}

/**
 * Calibrates a rubric's judges against human labels, as a task: every judge scores every labelled item
 * (each a journaled, budgeted model call), and compares a few pass/fail pairs in both orders to measure
 * position bias; the report (accuracy, Cohen's κ, position-swap consistency, cost per verdict, weights)
 * is stored for reliability-weighted panels and calibration gates.
 */
export async function calibrateJudges(
  deps: { ledger: LedgerStore; verdicts: VerdictStore; now: () => number },
  run: SystemCallScope,
  request: CalibrationRequest,
): Promise<CalibrationReport> {
  const { scope } = run;
  const durable = scope.durable.scope('calibrate');
  const runs: CalibrationRun[] = [];
  const passes = request.labels.filter((label) => label.label === 'pass');
  const fails = request.labels.filter((label) => label.label === 'fail');
  const pairs = passes
    .slice(0, SWAP_PAIRS)
    .flatMap((pass, i) => (fails[i] ? [[pass, fails[i]] as const] : []));

  for (const judge of request.judges) {
    const name = `${SYSTEM_AGENTS.judgePrefix}${judge.name}`;
    const instructions = judge.persona
      ? `${JUDGE_INSTRUCTIONS}\n\nYou judge as ${judge.persona}.`
      : JUDGE_INSTRUCTIONS;
    const ask = (
      at: DurableContext,
      prompt: string,
      schema: typeof JudgeAnswerSchema | typeof PairwiseAnswerSchema,
      system = instructions,
    ) => askSystemAgent(run, at, { name, instructions: system, model: judge.model }, prompt, schema);
    const before = await ledgerCost(deps.ledger, scope.task.id, name);
    const settled = await durable.scope(`judge:${judge.name}`).parallel(
      request.labels.map((label) => async (branch: DurableContext) => {
        const answer = (await ask(
          branch,
          judgePrompt({ rubric: request.rubric, task: label.input, output: label.output }),
          JudgeAnswerSchema,
        )) as JudgeAnswer;
        const vote = toVote(judge.name, request.rubric, answer);
        return { id: label.id, pass: vote.pass, score: vote.score, scores: vote.scores };
      }),
    );
    let consistent = 0;
    for (const [i, [pass, fail]] of pairs.entries()) {
      const at = durable.scope(`swap:${judge.name}:${i}`);
      const base = { rubric: request.rubric, task: pass.input };
      const first = (await ask(
        at,
        pairwisePrompt({ ...base, a: pass.output, b: fail.output }),
        PairwiseAnswerSchema,
        PAIRWISE_INSTRUCTIONS,
      )) as PairwiseAnswer;
      const second = (await ask(
        at,
        pairwisePrompt({ ...base, a: fail.output, b: pass.output }),
        PairwiseAnswerSchema,
        PAIRWISE_INSTRUCTIONS,
      )) as PairwiseAnswer;
      if (positionConsistent(first, second)) consistent++;
    }
    const verdicts = settled.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
    const cost = (await ledgerCost(deps.ledger, scope.task.id, name)) - before;
    runs.push({
      judge: judge.name,
      verdicts: verdicts.map((v) => ({ ...v, costUsd: verdicts.length > 0 ? cost / verdicts.length : 0 })),
      ...(pairs.length > 0 ? { positionSwap: { consistent, total: pairs.length } } : {}),
    });
  }

  await refuseSimulatedJudges(deps.ledger, scope.task.id, request.judges);
  const report = calibrationReport({
    labels: request.labels,
    judges: runs,
    rubricHash: request.rubricHash,
    ...(request.judges.length > 1
      ? { consensus: { strategy: request.strategy, threshold: request.rubric.threshold } }
      : {}),
  });
  await durable.step('calibration:save', async () => {
    const id = newId('calibration', deps.now());
    await deps.verdicts.saveCalibration({
      id,
      rubricName: request.rubric.name,
      rubricHash: request.rubricHash,
      report: toJson(report),
      createdAt: deps.now(),
    });
    return id;
  });
  return report;
}

/** What one agent's calls of this task have cost so far (judges are billed under their agent name). */
async function ledgerCost(ledger: LedgerStore, taskId: string, agent: string): Promise<number> {
  return (await ledger.listByTask(taskId))
    .filter((row) => row.agent === agent)
    .reduce((sum, row) => sum + row.costUsd, 0);
}

/**
 * The simulated model stages its verdicts: measuring it against human labels would print an
 * accuracy (often 0.0%) that says nothing about any judge, and store it as a calibration.
 */
async function refuseSimulatedJudges(
  ledger: LedgerStore,
  taskId: string,
  judges: readonly JudgeSpec[],
): Promise<void> {
  const names = new Set(judges.map((judge) => `${SYSTEM_AGENTS.judgePrefix}${judge.name}`));
  const calls = (await ledger.listByTask(taskId)).filter((row) => row.agent !== null && names.has(row.agent));
  if (calls.length === 0 || calls.some((row) => row.provider !== 'simulated')) return;
  throw new AgentdError({
    code: 'judge.simulated',
    message:
      'the judges ran on the simulated model, which cannot judge (its verdicts are staged); configure a real ' +
      'provider and point quality.judges (or models.default) at one of its models, then calibrate again',
  });
}
