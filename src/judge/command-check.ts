import { spawn } from 'node:child_process';
import { AgentdError } from '../core/errors.js';
import '../security/security-error-codes.js';
import { resolveInWorkspace } from '../security/index.js';
import type { CheckSpec } from './check-spec.js';
import type { CheckFinding } from './output-checks.js';

/** How much of the end of stdout and of stderr a failed command's reason quotes. */
export const OUTPUT_TAIL_CHARS = 2000;

// After a kill, how long to wait for the pipes to close before giving up on them: a process that left
// the group could hold them open forever.
const CLOSE_GRACE_MS = 2000;

/** What a command check needs besides its spec. */
export interface CommandCheckOptions {
  workspace: string | undefined;
  /** Programs that may run: an entry is an argv prefix, `node` allows any node command, `npm test` only that. */
  allowedCommands: readonly string[];
  /**
   * The command's whole environment. Without it the command inherits agentd's, API keys included, so callers
   * running commands over agent-written code should pass a reduced one.
   */
  env?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/**
 * Whether `argv` is allowed: some entry's words are a prefix of it. Programs compare as written, so `npm`
 * does not allow `./npm` (a script the agent may have written into the workspace).
 */
export function commandAllowed(argv: readonly string[], allowedCommands: readonly string[]): boolean {
  return allowedCommands.some((entry) => {
    const words = entry.split(/\s+/).filter((word) => word.length > 0);
    return words.length > 0 && words.length <= argv.length && words.every((word, i) => argv[i] === word);
  });
}

/** The command as a person would type it, for reasons. */
function display(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
}

/**
 * Runs a `command` check: the program, without a shell, in the workspace, passing on exit 0 within the
 * timeout. A program not allowed fails the check without running. Anything the command leaves running
 * is ended with it. Throws the signal's reason when aborted.
 */
export async function runCommandCheck(
  spec: Extract<CheckSpec, { type: 'command' }>,
  options: CommandCheckOptions,
): Promise<CheckFinding> {
  const shown = display(spec.argv);
  if (!commandAllowed(spec.argv, options.allowedCommands)) {
    const allowed = options.allowedCommands.length > 0 ? options.allowedCommands.join(', ') : 'none';
    return { pass: false, reason: `\`${shown}\` is not an allowed command (allowed: ${allowed}); not run` };
  }
  if (options.workspace === undefined) {
    return { pass: false, reason: `the task has no workspace to run \`${shown}\` in` };
  }
  let cwd: string;
  try {
    cwd = await resolveInWorkspace(options.workspace, spec.cwd ?? '.');
  } catch (error) {
    if (error instanceof AgentdError && error.code === 'security.path_outside_workspace') {
      return { pass: false, reason: `cwd '${spec.cwd ?? '.'}' is outside the workspace; not run` };
    }
    throw error;
  }
  options.signal?.throwIfAborted();
  return runProcess(spec.argv, {
    cwd,
    timeoutMs: spec.timeoutMs,
    shown,
    env: options.env,
    signal: options.signal,
  });
}

interface ProcessOptions {
  cwd: string;
  timeoutMs: number;
  shown: string;
  env: Readonly<Record<string, string>> | undefined;
  signal: AbortSignal | undefined;
}

function runProcess(argv: readonly string[], options: ProcessOptions): Promise<CheckFinding> {
  const [program = '', ...args] = argv;
  const started = Date.now();
  // Its own process group (not on Windows, which has none), so a timeout ends the test runner's children too.
  const group = process.platform !== 'win32';
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
      windowsHide: true,
      ...(options.env === undefined ? {} : { env: { ...options.env } }),
    });
    const stdout = createTail();
    const stderr = createTail();
    child.stdout.setEncoding('utf8').on('data', stdout.push);
    child.stderr.setEncoding('utf8').on('data', stderr.push);

    let settled = false;
    let timedOut = false;
    let grace: NodeJS.Timeout | undefined;
    // Armed first, so every path below can clear it; it fires only after they are all defined.
    const timer = setTimeout(() => {
      timedOut = true;
      stopAndWait();
    }, options.timeoutMs);
    const killAll = (): void => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch (error) {
        // ESRCH: nothing left to kill, which is the goal.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    };
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      options.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const stopAndWait = (): void => {
      killAll();
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle(() => resolve(outcome(null, 'SIGKILL')));
      }, CLOSE_GRACE_MS);
    };
    const onAbort = (): void => {
      killAll();
      settle(() => reject(options.signal?.reason));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const outcome = (code: number | null, signal: NodeJS.Signals | null): CheckFinding => {
      const took = `${Date.now() - started} ms`;
      if (code === 0 && !timedOut) return { pass: true, reason: `\`${options.shown}\` exited 0 in ${took}` };
      const what = timedOut
        ? `timed out after ${options.timeoutMs} ms and was stopped`
        : code !== null
          ? `exited ${code} after ${took}`
          : `was killed by ${signal ?? 'a signal'} after ${took}`;
      return {
        pass: false,
        reason: `\`${options.shown}\` ${what}${stderr.quote('stderr')}${stdout.quote('stdout')}`,
      };
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? `'${program}' was not found` : error.message;
      settle(() => resolve({ pass: false, reason: `\`${options.shown}\` could not start: ${why}` }));
    });
    // Whatever the command started in the background (a dev server, a watcher) must not outlive it; ended
    // at exit, because while it holds the pipes open 'close' would wait for it until the timeout.
    child.on('exit', () => {
      if (group) killAll();
    });
    child.on('close', (code, signal) => settle(() => resolve(outcome(code, signal))));
  });
}

/** The last OUTPUT_TAIL_CHARS characters of a stream, kept as it arrives so memory stays bounded. */
function createTail(): { push: (chunk: string) => void; quote: (label: string) => string } {
  let text = '';
  let dropped = false;
  return {
    push: (chunk) => {
      text += chunk;
      if (text.length > 2 * OUTPUT_TAIL_CHARS) {
        text = text.slice(-OUTPUT_TAIL_CHARS);
        dropped = true;
      }
    },
    quote: (label) => {
      const trimmed = text.trimEnd();
      if (trimmed.length === 0) return '';
      const cut = dropped || trimmed.length > OUTPUT_TAIL_CHARS;
      const heading = cut ? `${label} (last ${OUTPUT_TAIL_CHARS} characters)` : label;
      return `\n--- ${heading} ---\n${cut ? trimmed.slice(-OUTPUT_TAIL_CHARS) : trimmed}`;
    },
  };
}
