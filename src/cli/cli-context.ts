import type { z } from 'zod';
import type { Actor, Operation, OperationContext } from '../operations/index.js';
import type { OpenedSecretVault, Runtime } from '../runtime/index.js';
import type { CliIo } from './cli-io.js';

/** What every command gets: output streams, a way to open the runtime, and the exit code to set. */
export interface CliContext {
  io: CliIo;
  /** Who the CLI acts as: the local admin of the database it opens. */
  actor: Actor;
  /** Opens (once) and returns the runtime; `resume` turns on resuming interrupted tasks. */
  openRuntime(options?: {
    resume?: boolean;
    watchConfig?: boolean;
    logLevel?: 'info' | 'warn';
    /** Whether this process runs tasks from the DBOS queue (executor.engine: dbos; default false). */
    worker?: boolean;
  }): Promise<Runtime>;
  /** Opens the secrets vault of the configured database alone (no runtime); the caller closes it. */
  openVault(): Promise<OpenedSecretVault>;
  /** Opens the runtime and invokes an operation as the CLI's actor (`context`: progress, cancellation). */
  invoke<I extends z.ZodType, O extends z.ZodType>(
    operation: Operation<I, O>,
    input: unknown,
    context?: OperationContext,
  ): Promise<z.infer<O>>;
  /** Exit code of the command (0 unless set). */
  exitCode: number;
  /** Fails the command as a usage error (exit 2). */
  usageError(message: string): never;
}
