import { Command, CommanderError } from 'commander';
import { AgentdError, toAgentdError } from '../core/errors.js';
import { adminActor, invokeOperation } from '../operations/index.js';
import { createRuntime, openSecretVault } from '../runtime/index.js';
import type { Runtime, RuntimeOptions } from '../runtime/index.js';
import './cli-error-codes.js';
import type { CliContext } from './cli-context.js';
import { processIo } from './cli-io.js';
import type { CliIo } from './cli-io.js';
import { registerA2a } from './commands/a2a.js';
import { registerCompletion } from './commands/completion.js';
import { registerConfig } from './commands/config.js';
import { registerKeys } from './commands/keys.js';
import { registerDoctor } from './commands/doctor.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerMcp } from './commands/mcp.js';
import { registerMemory } from './commands/memory.js';
import { registerModels } from './commands/models.js';
import { registerNet } from './commands/net.js';
import { registerQuality } from './commands/quality.js';
import { registerRedact } from './commands/redact.js';
import { registerReviews } from './commands/reviews.js';
import { registerRouter } from './commands/router.js';
import { registerRun } from './commands/run.js';
import { registerSecrets } from './commands/secrets.js';
import { registerServe } from './commands/serve.js';
import { registerCluster } from './commands/cluster.js';
import { registerWorker } from './commands/worker.js';
import { registerTasks } from './commands/tasks.js';
import { registerTopologies } from './commands/topologies.js';
import { exitCodeOf } from './exit-code.js';
import { helpSnapshot } from './help-snapshot.js';
import { createStderrLogger } from './stderr-logger.js';

/** The CLI version (kept in step with package.json by the build). */
export const VERSION = '0.1.0';

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code:
 * 0 ok, 1 the task or command failed, 2 bad usage or input, 130 cancelled.
 */
export async function runCli(
  argv: string[],
  options: { io?: CliIo; runtime?: RuntimeOptions } = {},
): Promise<number> {
  const io = options.io ?? processIo;
  let runtime: Runtime | undefined;
  const cli: CliContext = {
    io,
    actor: adminActor('cli'),
    exitCode: 0,
    async invoke(operation, input, context) {
      return invokeOperation(await cli.openRuntime(), operation, input, cli.actor, context);
    },
    async openRuntime(open = {}) {
      runtime ??= await createRuntime({
        logger: createStderrLogger(io, open.logLevel ?? 'warn'),
        ...(open.resume ? { resume: true } : {}),
        ...(open.watchConfig ? { watchConfig: true } : {}),
        // Only `run`, `serve` and `worker` take tasks from a DBOS queue; other commands submit or read.
        worker: open.worker ?? false,
        ...options.runtime,
      });
      return runtime;
    },
    async openVault() {
      // The config a test or embedder handed the runtime, else the files and environment.
      const given = options.runtime?.loadedConfig ?? options.runtime?.loadConfig?.();
      return openSecretVault(given ? { loadedConfig: given } : {});
    },
    usageError(message) {
      throw new AgentdError({ code: 'cli.usage', message });
    },
  };

  const program = buildProgram(cli, argv);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return cli.exitCode;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // Help and version exit 0; commander already printed its own message for usage errors.
      return thrown.exitCode === 0 ? 0 : 2;
    }
    const error = toAgentdError(thrown);
    io.stderr.write(`agentd: error: ${error.message} (${error.code})\n`);
    return exitCodeOf(error);
  } finally {
    await runtime?.close();
  }
}

/** Each top-level command and what registers it. */
const COMMANDS: Record<string, (program: Command, cli: CliContext) => void> = {
  run: registerRun,
  serve: (program, cli) => registerServe(program, cli, VERSION),
  worker: registerWorker,
  cluster: registerCluster,
  tasks: registerTasks,
  reviews: registerReviews,
  topologies: registerTopologies,
  models: registerModels,
  router: registerRouter,
  memory: registerMemory,
  forge: registerQuality,
  judge: registerQuality,
  config: registerConfig,
  keys: registerKeys,
  net: registerNet,
  mcp: (program, cli) => registerMcp(program, cli, VERSION),
  secrets: registerSecrets,
  doctor: registerDoctor,
  redact: registerRedact,
  a2a: registerA2a,
  init: registerInit,
  import: registerImport,
  completion: (program, cli) => registerCompletion(program, cli, () => buildProgram(cli)),
};

/**
 * The command tree of the CLI, acting through `cli`. Given the arguments, only the command they
 * name is built (its options come from operation schemas turned into JSON Schema, which costs a
 * few ms per command at every start); without one it names (help, a typo), all of them.
 */
export function buildProgram(cli: CliContext, argv: readonly string[] = []): Command {
  const { io } = cli;
  const program = new Command('agentd')
    .description('agentd: an operating system for AI agents')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's usage errors ("error: unknown option …") read like agentd's own.
      outputError: (message, write) => write(message.startsWith('error:') ? `agentd: ${message}` : message),
    })
    .showHelpAfterError('(run agentd --help for usage)');
  const first = argv[0];
  const named = first !== undefined && Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  for (const register of named ? [named] : new Set(Object.values(COMMANDS))) register(program, cli);
  return program;
}

/** Every command's `--help` text by command path, for dist/help.json (see helpSnapshot). */
export function cliHelpSnapshot(): Record<string, string> {
  const cli: CliContext = {
    io: processIo,
    actor: adminActor('cli'),
    exitCode: 0,
    invoke: () => Promise.reject(new Error('no commands run while taking the help snapshot')),
    openRuntime: () => Promise.reject(new Error('no runtime while taking the help snapshot')),
    openVault: () => Promise.reject(new Error('no vault while taking the help snapshot')),
    usageError(message) {
      throw new AgentdError({ code: 'cli.usage', message });
    },
  };
  return helpSnapshot(buildProgram(cli));
}
