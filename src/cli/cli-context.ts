import type { Runtime } from '../runtime/index.js';
import type { CliIo } from './cli-io.js';

/** What every command gets: output streams, a way to open the runtime, and the exit code to set. */
export interface CliContext {
  io: CliIo;
  /** Opens (once) and returns the runtime; `resume` turns on resuming interrupted tasks. */
  openRuntime(options?: {
    resume?: boolean;
    watchConfig?: boolean;
    logLevel?: 'info' | 'warn';
  }): Promise<Runtime>;
  /** Exit code of the command (0 unless set). */
  exitCode: number;
  /** Fails the command as a usage error (exit 2). */
  usageError(message: string): never;
}
