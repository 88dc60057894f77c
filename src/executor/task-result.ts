import type { Json } from '../core/json.js';
import type { TaskStatus } from '../store/task-store.js';

/** A task as agentd reports it: outcome, cost, counts and timings. */
export interface TaskResult {
  id: string;
  status: TaskStatus;
  prompt: string;
  output: string | null;
  error: { code: string; message: string } | null;
  cost: { usd: number; inputTokens: number; outputTokens: number };
  /** Model calls made (each billed call, including ones repeated after a crash). */
  modelCalls: number;
  /**
   * Calls a crash cut short (present when there are any): they may have been billed, so `cost`
   * counts them at their estimate; the step was run again and its call is in `modelCalls`.
   */
  interruptedCalls?: number;
  /** The same calls by who made them: the task's agents, team design, judges, and memory. */
  modelCallsBy: { agents: number; forge: number; judges: number; memory: number };
  /** Tool calls made. */
  toolCalls: number;
  /**
   * What memory recall put before the task's prompt (when memory is on): the memories and their
   * tokens (about 4 characters a token, the heading included; 0 when nothing cleared the gates).
   */
  memory?: { recalled: number; recallTokens: number };
  /** True when any output came from the simulated model: a dry run, not a model's answer. */
  simulated: boolean;
  /** What the topology reports beyond the output (rounds, votes, approval state, …). */
  details?: Json;
  /** For a failed or cancelled task: the outputs of the agents that had finished. */
  partial?: { agent: string; output: string }[];
  /** For a waiting task: the reviews it waits on. */
  reviews?: { id: string; kind: string; question: string }[];
  timings: {
    createdAt: number;
    startedAt: number | null;
    finishedAt: number | null;
    durationMs: number | null;
  };
}

/** Agent names agentd's own model calls are made under (`agentd.` is reserved for them). */
export const SYSTEM_AGENTS = {
  forge: 'agentd.forge',
  judgePrefix: 'agentd.judge.',
  memory: 'agentd.memory',
} as const;

/** Who made a model call, from the agent it was made for. */
export function callRole(agent: string | null): keyof TaskResult['modelCallsBy'] {
  if (agent === SYSTEM_AGENTS.forge) return 'forge';
  if (agent === SYSTEM_AGENTS.memory) return 'memory';
  if (agent?.startsWith(SYSTEM_AGENTS.judgePrefix)) return 'judges';
  return 'agents';
}

/** The journaled step that holds a task's recalled-memory block (its output: the block, or ''). */
export const MEMORY_RECALL_STEP = 'memory:recall';

/** The recall figures of a task's result, from its recall step's block; undefined without one. */
export function recallSummary(
  steps: readonly { name: string; output: Json | null }[],
): TaskResult['memory'] | undefined {
  const step = steps.find((s) => s.name === MEMORY_RECALL_STEP);
  if (!step) return undefined;
  const block = typeof step.output === 'string' ? step.output : '';
  // One memory a line, after the heading line.
  const recalled = block === '' ? 0 : block.split('\n').length - 1;
  return { recalled, recallTokens: Math.ceil(block.length / 4) };
}
