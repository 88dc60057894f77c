import { spawn } from 'node:child_process';
import { AgentdError } from '../../core/errors.js';
import '../agent-error-codes.js';
import { commandAllowed } from '../../judge/index.js';
import type { AgentContext, AgentRunner, GatewaySession } from '../agent-runner.js';
import type { AgentSpec } from '../agent-spec.js';
import type { ForeignAgentSettings } from './foreign-settings.js';
import { progressReporter, runForeignAgent } from './foreign-run.js';
import { resolveInProject } from './project-path.js';
import { createLineSplitter, MAX_LINE_CHARS, MAX_LINES, parseProcessLine } from './process-protocol.js';
import type { ProcessInputLine } from './process-protocol.js';

/** A process agent's time limit when its spec sets none. */
export const DEFAULT_PROCESS_TIMEOUT_MS = 300_000;
/** How much of the end of stderr a failure quotes. */
const STDERR_TAIL_CHARS = 2_000;
/** Most stderr lines of one run that go to the log. */
const MAX_LOGGED_LINES = 200;
// After a kill, how long to wait for the pipes to close: a process that left the group could hold them open.
const CLOSE_GRACE_MS = 2_000;

/**
 * The `process` kind: any program, in any language, that speaks the process protocol (one JSON input
 * line on stdin, JSON lines on stdout; docs/frameworks.md). It calls models through the task's gateway
 * (OPENAI_BASE_URL + a task-scoped OPENAI_API_KEY), so its calls are routed, budgeted and journaled;
 * the run itself is not journaled, so a resumed task starts it again and its journaled calls replay.
 */
export const processAgentRunner: AgentRunner = {
  run(agent, input, ctx) {
    return runForeignAgent('process', agent, input, ctx, async ({ span, prompt, gateway, signal }) => {
      const argv = agent.command ?? [];
      const settings = ctx.foreign;
      const allowed = settings?.allowedCommands ?? [];
      if (!commandAllowed(argv, allowed)) {
        throw new AgentdError({
          code: 'agent.command_not_allowed',
          message: `agent '${agent.name}': command '${argv.join(' ')}' is not allowed by agents.allowedCommands (allowed: ${allowed.join(', ') || 'none'}); add its program to agents.allowedCommands in agentd.yaml`,
          details: { agent: agent.name, path: 'command' },
        });
      }
      const cwd = await workingFolder(agent, ctx);
      const extra = resolveEnv(agent, settings);
      const session = await gateway.open({ agent, context: ctx, agentSpan: span });
      try {
        const env = {
          ...settings?.baseEnv,
          ...extra,
          ...gatewayEnv(session, agent, ctx),
        };
        const line: ProcessInputLine = {
          type: 'input',
          prompt,
          ...(agent.instructions ? { instructions: agent.instructions } : {}),
          agent: agent.name,
          taskId: ctx.durable.taskId,
          model: session.model,
        };
        return await runProcess(agent, ctx, settings, { argv, cwd, env, line, signal });
      } finally {
        await session.close();
      }
    });
  },
};

/** Where the program runs: its `cwd` inside the project folder, else the task's workspace. */
async function workingFolder(agent: AgentSpec, ctx: AgentContext): Promise<string> {
  // Made either way: the program is told where it is (AGENTD_WORKSPACE) and may write there.
  await ctx.ensureWorkspace();
  if (agent.cwd !== undefined) {
    return resolveInProject(ctx.foreign?.projectDir ?? process.cwd(), agent.cwd, {
      agent: agent.name,
      field: 'cwd',
    });
  }
  return ctx.workspace;
}

/** The spec's `env`, with `env:NAME` references read from what agents.allowedEnv let through. */
function resolveEnv(agent: AgentSpec, settings: ForeignAgentSettings | undefined): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(agent.env ?? {})) {
    if (!value.startsWith('env:')) {
      resolved[name] = value;
      continue;
    }
    const source = value.slice('env:'.length);
    const found = settings?.env[source];
    if (found === undefined) {
      throw new AgentdError({
        code: 'agent.invalid',
        message: `agent '${agent.name}': env.${name} refers to ${source}, which is not set or not listed in agents.allowedEnv`,
        details: { agent: agent.name, path: `env.${name}` },
      });
    }
    resolved[name] = found;
  }
  return resolved;
}

/** What agentd tells every process agent: the gateway, its key, and who and where it is. */
function gatewayEnv(session: GatewaySession, agent: AgentSpec, ctx: AgentContext): Record<string, string> {
  return {
    OPENAI_BASE_URL: session.baseUrl,
    OPENAI_API_KEY: session.apiKey,
    AGENTD_MODEL: session.model,
    AGENTD_TASK_ID: ctx.durable.taskId,
    AGENTD_AGENT: agent.name,
    AGENTD_WORKSPACE: ctx.workspace,
  };
}

function runProcess(
  agent: AgentSpec,
  ctx: AgentContext,
  settings: ForeignAgentSettings | undefined,
  run: {
    argv: string[];
    cwd: string;
    env: Record<string, string>;
    line: ProcessInputLine;
    signal: AbortSignal;
  },
): Promise<string> {
  const [program = '', ...args] = run.argv;
  const timeoutMs = agent.timeoutMs ?? DEFAULT_PROCESS_TIMEOUT_MS;
  const progress = progressReporter(ctx, agent);
  const logger = settings?.logger;
  // Its own process group (none on Windows), so a timeout or cancel ends whatever it started too.
  const group = process.platform !== 'win32';
  return new Promise<string>((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: run.cwd,
      env: run.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: group,
      windowsHide: true,
    });
    let output: string | undefined;
    let reported: string | undefined;
    let failure: AgentdError | undefined;
    let lines = 0;
    let logged = 0;
    let stderrTail = '';
    let settled = false;
    let grace: NodeJS.Timeout | undefined;

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
      run.signal.removeEventListener('abort', onAbort);
      finish();
    };
    const fail = (error: AgentdError): void => {
      failure ??= error;
      killAll();
      // The pipes may stay open (a grandchild that left the group): do not wait for them forever.
      grace ??= setTimeout(() => settle(() => reject(failure)), CLOSE_GRACE_MS);
    };
    const processError = (
      what: string,
      code: 'agent.process_failed' | 'agent.process_timeout' = 'agent.process_failed',
    ) =>
      new AgentdError({
        code,
        message: `agent '${agent.name}': \`${run.argv.join(' ')}\` ${what}${quote(stderrTail)}`,
        details: { agent: agent.name },
      });

    const timer = setTimeout(
      () => fail(processError(`timed out after ${timeoutMs} ms and was stopped`, 'agent.process_timeout')),
      timeoutMs,
    );
    const onAbort = (): void => {
      killAll();
      settle(() => reject(run.signal.reason));
    };
    run.signal.addEventListener('abort', onAbort, { once: true });

    const stdout = createLineSplitter({
      maxChars: MAX_LINE_CHARS,
      onOverlong: () => fail(processError(`wrote a stdout line longer than ${MAX_LINE_CHARS} characters`)),
      onLine: (text) => {
        if (++lines > MAX_LINES) {
          fail(processError(`wrote more than ${MAX_LINES} lines on stdout`));
          return;
        }
        const message = parseProcessLine(text);
        if (!message) {
          // Not a protocol line (a stray print): logged like stderr, not fatal.
          log(`stdout: ${text}`);
          return;
        }
        if (message.type === 'progress') progress(message.message);
        else if (message.type === 'output') output ??= message.text;
        else reported ??= message.message;
      },
    });
    const stderr = createLineSplitter({
      maxChars: MAX_LINE_CHARS,
      onOverlong: () => undefined,
      onLine: (text) => log(text),
    });
    function log(text: string): void {
      if (logged++ >= MAX_LOGGED_LINES) return;
      logger?.info(`agent ${agent.name}: ${text.slice(0, 2_000)}`, {
        taskId: ctx.durable.taskId,
        agent: agent.name,
      });
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      stderr.push(chunk);
    });
    // A program that exits without reading its input must not fail agentd with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(run.line)}\n`);

    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? `'${program}' was not found` : error.message;
      settle(() =>
        reject(
          new AgentdError({
            code: 'agent.process_failed',
            message: `agent '${agent.name}': \`${run.argv.join(' ')}\` could not start: ${why}`,
            details: { agent: agent.name, path: 'command' },
          }),
        ),
      );
    });
    // Whatever it started in the background must not outlive it.
    child.on('exit', () => {
      if (group) killAll();
    });
    child.on('close', (code, signal) => {
      stdout.end();
      stderr.end();
      settle(() => {
        if (failure) return reject(failure);
        if (reported !== undefined)
          return reject(processError(`reported an error: ${reported.slice(0, 2_000)}`));
        if (code !== 0) {
          return reject(
            processError(code !== null ? `exited ${code}` : `was killed by ${signal ?? 'a signal'}`),
          );
        }
        if (output === undefined)
          return reject(processError('exited without writing an {"type":"output"} line'));
        resolve(output);
      });
    });
  });
}

function quote(tail: string): string {
  const trimmed = tail.trimEnd();
  return trimmed ? `\n--- stderr (last ${STDERR_TAIL_CHARS} characters) ---\n${trimmed}` : '';
}
