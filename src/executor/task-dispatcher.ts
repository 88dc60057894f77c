/**
 * Hands tasks to a durable engine that decides where they run (DBOS: a queue in Postgres shared by
 * every worker). The task runner then starts nothing itself: it dispatches, and runs what the
 * engine hands it.
 */
export interface TaskDispatcher {
  /**
   * Puts the task's workflow on the shared queue, or back on it after the task waited for a human;
   * a workflow already queued or running is left as it is. With `afterEnd` (a human answered), the
   * task's last run has ended or is ending: a workflow still finishing is waited for, then queued.
   */
  dispatch(taskId: string, options?: { afterEnd?: boolean }): Promise<void>;
  /** Cancels the task's workflow wherever it is queued or runs. */
  cancel(taskId: string): Promise<void>;
  /**
   * How this process runs a task the queue hands it; `run` resolves when the task's run here ended,
   * and never when the process is shutting down mid-run (the workflow stays pending for recovery).
   * A process that never calls it only submits (`agentd serve --no-worker`).
   */
  serve(run: (taskId: string) => Promise<void>): void;
}
