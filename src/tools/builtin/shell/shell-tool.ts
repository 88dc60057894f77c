import { z } from 'zod';
import { PolicyDeniedError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { resolveInWorkspace } from '../../../security/index.js';
import { defineTool } from '../../define-tool.js';
import type { AnyTool } from '../../define-tool.js';
import { runCommand } from './run-command.js';
import './shell-error-codes.js';
import { bubblewrapArgs, detectShellIsolation } from './shell-isolation.js';
import type { ShellIsolation } from './shell-isolation.js';
import type { ShellToolConfig } from './shell-tool-config.js';

/** The PATH commands get: the system's folders only, whatever agentd's own PATH holds. */
export const SHELL_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Options of {@link createShellTool}. */
export interface ShellToolOptions {
  config: ShellToolConfig;
  /** How isolation is detected (default: probing bubblewrap once); tests substitute it. */
  isolation?: () => Promise<ShellIsolation>;
  logger?: Logger;
}

/** The environment of every command: nothing inherited, so no API key or token can leak into it. */
export function shellEnvironment(workspace: string): Record<string, string> {
  return { PATH: SHELL_PATH, HOME: workspace, LANG: 'C.UTF-8' };
}

/**
 * The `shell` tool: runs an allowed program in the task's workspace with a clean environment, a
 * time limit, output limits and (on Linux, when bubblewrap works) a sandbox with a read-only system,
 * the workspace writable and no network. The runtime registers it only when `tools.shell.enabled`.
 */
export function createShellTool(options: ShellToolOptions): AnyTool {
  const { config } = options;
  const isolation = options.isolation ?? detectShellIsolation;
  const allowed = new Set(config.allow);
  const argvSchema = z
    .array(
      z
        .string()
        .max(8192)
        .refine((s) => !s.includes('\0'), 'must not contain NUL'),
    )
    .min(1)
    .max(256)
    .describe('The program and its arguments, e.g. ["ls", "-la"]; passed as they are, with no shell');
  const input = config.allowShellSyntax
    ? z.union([
        z.strictObject({ argv: argvSchema }),
        z.strictObject({
          script: z.string().min(1).max(65_536).describe('A script for `sh -c` (pipes, redirections, `;`)'),
        }),
      ])
    : z.strictObject({ argv: argvSchema });
  let warned = false;

  return defineTool({
    name: 'shell',
    description:
      `Run a program in the task workspace. Allowed programs: ${[...allowed].join(', ') || '(none)'}. ` +
      (config.allowShellSyntax
        ? 'Give `argv` (no shell), or `script` to run with sh -c. '
        : 'Give `argv`: the program and its arguments; there is no shell, so pipes, `;` and `$VAR` are passed literally. ') +
      `Time limit ${config.timeoutMs} ms; output beyond ${config.maxOutputBytes} bytes per stream is cut.` +
      (config.network ? '' : ' No network access.'),
    input: input as z.ZodType<{ argv: string[] } | { script: string }>,
    requiresApproval: config.requiresApproval,
    async execute(call, context) {
      let argv: [string, ...string[]];
      if ('script' in call) {
        // sh -c can run anything: it must be allowed explicitly, and isolation is then the only limit.
        if (!allowed.has('sh')) {
          throw new PolicyDeniedError({
            code: 'shell.syntax_not_allowed',
            message: "shell syntax needs 'sh' in tools.shell.allow",
          });
        }
        argv = ['sh', '-c', call.script];
      } else {
        argv = call.argv as [string, ...string[]];
        if (!allowed.has(argv[0])) {
          throw new PolicyDeniedError({
            code: 'shell.program_not_allowed',
            message: `program '${argv[0].slice(0, 200)}' is not allowed; allowed: ${[...allowed].join(', ') || '(none: set tools.shell.allow)'}`,
            details: { program: argv[0].slice(0, 200), allowed: [...allowed] },
          });
        }
      }
      const workspace = await resolveInWorkspace(context.workspace, '.');
      const env = shellEnvironment(workspace);
      const sandbox = config.isolation === 'off' ? undefined : await isolation();
      let command = argv;
      if (sandbox?.available && sandbox.path) {
        command = [
          sandbox.path,
          ...bubblewrapArgs({ workspace, network: config.network, env }),
          '--',
          ...argv,
        ];
      } else if (config.isolation === 'required') {
        throw new PolicyDeniedError({
          code: 'shell.isolation_unavailable',
          message: `tools.shell.isolation is 'required', but ${sandbox?.detail ?? 'no isolation is available'}`,
        });
      } else if (config.isolation === 'auto' && !warned) {
        warned = true;
        options.logger?.warn('shell: commands run without isolation', { reason: sandbox?.detail });
      }
      const result = await runCommand({
        argv: command,
        cwd: workspace,
        env,
        timeoutMs: config.timeoutMs,
        maxOutputBytes: config.maxOutputBytes,
        signal: context.signal,
      });
      return {
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        stdout: result.stdout,
        stderr: result.stderr,
        truncated: result.truncated,
        isolated: command !== argv,
      };
    },
  });
}
