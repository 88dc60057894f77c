import type { CheckResult, CheckSpec } from './check-spec.js';
import { checksPassed } from './checks.js';
import { consensus } from './consensus.js';
import type { Consensus, ConsensusStrategy } from './consensus.js';
import { judgeFeedback } from './judge-feedback.js';
import type { JudgeSpec } from './quality-config.js';
import type { Rubric } from './rubric.js';
import { JUDGE_INSTRUCTIONS, JudgeAnswerSchema, judgePrompt } from './verdict.js';
import type { JudgeAnswer, Vote } from './verdict.js';

/** One judge asked to score one output: its spec, its system text and prompt, the answer's schema. */
export interface JudgeRequest {
  judge: JudgeSpec;
  instructions: string;
  prompt: string;
  schema: typeof JudgeAnswerSchema;
}

/** A judge's parsed answer and what asking it cost. */
export interface JudgeReply {
  answer: JudgeAnswer;
  costUsd: number;
  /** The model that answered (for the router's learning). */
  modelId?: string | undefined;
}

/** The judging of one output. */
export interface Evaluation {
  /** Whether anything judged it: false for `off`, and for a task with no rubric and no checks. */
  judged: boolean;
  approved: boolean;
  mode: 'off' | 'checks' | 'single' | 'panel';
  checks: CheckResult[];
  votes: Vote[];
  consensus: Consensus | null;
  /** The failed checks' and judges' issues and suggestions, for the next round's prompts ('' if approved). */
  feedback: string;
  /** Judges left out because their answer was unusable (a criterion not scored), with why. */
  unusable?: string[];
}

/** What {@link evaluateOutput} needs. */
export interface EvaluateOutputInput {
  mode: 'off' | 'checks' | 'single' | 'panel';
  task: string;
  output: string;
  rubric?: Rubric | undefined;
  /** Deterministic checks besides the rubric's own. */
  checks: readonly CheckSpec[];
  judges: readonly JudgeSpec[];
  strategy: ConsensusStrategy;
  /** reliability-weighted: per judge (from calibration). */
  weights?: Readonly<Record<string, number>>;
  /** Runs the checks (journaled by the caller: a command check must not run twice on replay). */
  runChecks(checks: readonly CheckSpec[]): Promise<CheckResult[]>;
  /** Asks judges in parallel (each a model call through the router, budgeted and journaled by the caller). */
  askJudges(requests: readonly JudgeRequest[]): Promise<JudgeReply[]>;
  /** Turns an answer into a vote; the caller's repair turn makes a missing criterion rare. */
  toVote(judge: string, answer: JudgeAnswer, costUsd: number): Vote;
}

/**
 * Judges an output: deterministic checks first (free; a failure rejects without any judge), then one
 * judge (`single`) or the panel (`panel`) on the rubric, combined by the consensus strategy.
 */
export async function evaluateOutput(input: EvaluateOutputInput): Promise<Evaluation> {
  const checks = [...(input.rubric?.checks ?? []), ...input.checks];
  const none: Evaluation = {
    judged: false,
    approved: true,
    mode: input.mode,
    checks: [],
    votes: [],
    consensus: null,
    feedback: '',
  };
  if (input.mode === 'off' || (checks.length === 0 && (!input.rubric || input.mode === 'checks')))
    return none;

  const results = checks.length > 0 ? await input.runChecks(checks) : [];
  const judged = { ...none, judged: true, checks: results };
  if (!checksPassed(results)) {
    return { ...judged, approved: false, feedback: judgeFeedback({ checks: results }) };
  }
  if (input.mode === 'checks' || !input.rubric) return judged;

  const rubric = input.rubric;
  const panel = input.mode === 'single' ? input.judges.slice(0, 1) : input.judges;
  const replies = await input.askJudges(
    panel.map((judge) => ({
      judge,
      instructions: judge.persona
        ? `${JUDGE_INSTRUCTIONS}\n\nYou judge as ${judge.persona}.`
        : JUDGE_INSTRUCTIONS,
      prompt: judgePrompt({ rubric, task: input.task, output: input.output }),
      schema: JudgeAnswerSchema,
    })),
  );
  // A judge whose answer leaves a criterion unscored is left out of the panel (and says why in the
  // feedback); only when no judge gave a usable answer does the evaluation fail.
  const votes: Vote[] = [];
  const unusable: string[] = [];
  let firstError: unknown;
  replies.forEach((reply, i) => {
    const name = (panel[i] as JudgeSpec).name;
    try {
      votes.push(input.toVote(name, reply.answer, reply.costUsd));
    } catch (error) {
      firstError ??= error;
      unusable.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  if (votes.length === 0) throw firstError;
  const verdict = consensus(votes, {
    strategy: input.strategy,
    threshold: rubric.threshold,
    ...(input.weights ? { weights: input.weights } : {}),
  });
  return {
    ...judged,
    approved: verdict.pass,
    votes,
    consensus: verdict,
    feedback: verdict.pass ? '' : judgeFeedback({ checks: results, votes }),
    ...(unusable.length > 0 ? { unusable } : {}),
  };
}
