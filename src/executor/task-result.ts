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
  /** Tool calls made. */
  toolCalls: number;
  /** True when any output came from the simulated model: a dry run, not a model's answer. */
  simulated: boolean;
  timings: {
    createdAt: number;
    startedAt: number | null;
    finishedAt: number | null;
    durationMs: number | null;
  };
}
