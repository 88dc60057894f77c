import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the executor: task lifecycle, human reviews, run limits and the step journal, with their categories (see ADR 0017). */
export const EXECUTOR_ERROR_CODES = declareErrorCodes({
  'task.not_found': 'not_found',
  'task.invalid': 'invalid',
  'task.interrupted': 'halt',
  'task.not_interrupted': 'conflict',
  'task.finished': 'conflict',
  'task.not_finished': 'conflict',
  'task.config_mismatch': 'conflict',
  'task.suspended': 'halt',
  'review.not_found': 'not_found',
  'review.already_answered': 'conflict',
  'review.closed': 'conflict',
  'review.invalid_payload': 'invalid',
  'loop.step_limit': 'halt',
  'loop.detected': 'guard',
  'loop.depth_exceeded': 'guard',
  'journal.nondeterministic': 'system',
  'journal.invalid_scope': 'system',
  'runtime.closed': 'invalid',
  'task.queue_full': 'unavailable',
  'task.dead_lettered': 'system',
  'executor.not_in_workflow': 'system',
  'executor.dbos_busy': 'conflict',
  'executor.dbos_url_missing': 'invalid',
  'worker.executor_id_in_use': 'conflict',
  'worker.fenced': 'halt',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    executor: typeof EXECUTOR_ERROR_CODES;
  }
}
