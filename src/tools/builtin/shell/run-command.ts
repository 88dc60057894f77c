import { spawn } from 'node:child_process';
import { AgentdError } from '../../../core/errors.js';
import './shell-error-codes.js';

/** What one command run produced. */
export interface CommandResult {
  /** The exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Whether output past the limit was dropped, per stream. */
  truncated: { stdout: boolean; stderr: boolean };
  /** Whether the time limit ended it. */
  timedOut: boolean;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** The program and its arguments, passed to exec as they are (no shell). */
  argv: [string, ...string[]];
  cwd: string;
  /** The whole environment of the child: nothing of agentd's is inherited. */
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
  /** How long after SIGTERM the group gets SIGKILL, ms (default 2000). */
  killGraceMs?: number;
}

/**
 * Runs a program in its own process group and session (detached), collecting at most
 * `maxOutputBytes` of each stream. On timeout or abort the whole group gets SIGTERM, then SIGKILL:
 * a child's own children (a forked sleeper, a background job) die with it.
 */
export function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const [program, ...args] = options.argv;
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const stdout = collector(options.maxOutputBytes);
    const stderr = collector(options.maxOutputBytes);
    child.stdout.on('data', stdout.add);
    child.stderr.on('data', stderr.add);
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;

    const killGroup = (): void => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 2_000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = (): void => killGroup();
    options.signal.addEventListener('abort', onAbort, { once: true });

    const finish = (): void => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      finish();
      clearTimeout(killTimer);
      reject(
        new AgentdError({
          code: 'shell.spawn_failed',
          message: `cannot start '${program}': ${(error as NodeJS.ErrnoException).code ?? error.message}`,
          cause: error,
        }),
      );
    });
    child.on('close', (exitCode, signal) => {
      finish();
      // The leader is gone, but members of its group may live on (a daemonised grandchild that
      // closed its pipes); they get the same end.
      if (timedOut || options.signal.aborted) signalGroup(child.pid, 'SIGKILL');
      clearTimeout(killTimer);
      if (options.signal.aborted) {
        reject(options.signal.reason);
        return;
      }
      resolve({
        exitCode,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: { stdout: stdout.truncated(), stderr: stderr.truncated() },
        timedOut,
      });
    });
  });
}

/** Sends `signal` to the process group led by `pid`; a group already gone is not an error. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Keeps the first `limit` bytes of a stream and counts the rest. */
function collector(limit: number): { add(chunk: Buffer): void; text(): string; truncated(): boolean } {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = false;
  return {
    add(chunk) {
      const room = limit - kept;
      if (room <= 0) {
        dropped = true;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) dropped = true;
      chunks.push(part);
      kept += part.length;
    },
    // A multi-byte character cut at the limit decodes as U+FFFD, which is fine for a model to read.
    text: () => Buffer.concat(chunks).toString('utf8'),
    truncated: () => dropped,
  };
}
