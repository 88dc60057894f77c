/**
 * The line that opens the recalled-memory block memory puts before a task's prompt (the block ends
 * at the first blank line). Here, below both, so the simulated model can echo the task and not the
 * block without the models layer reaching up into memory.
 */
export const RECALL_HEADER =
  'Recalled memory (from earlier tasks; it may be out of date — use it only where it helps):';
