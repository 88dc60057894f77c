import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { createStderrLogger, isLogLevel, LOG_LEVELS } from '../stderr-logger.js';
import type { LogLevel } from '../stderr-logger.js';

/** `agentd serve`: the HTTP API; resumes (and keeps adopting) tasks a crashed process left running. */
export function registerServe(program: Command, cli: CliContext, version: string): void {
  program
    .command('serve')
    .description('Start the HTTP API (binds 127.0.0.1 by default)')
    .option('--port <port>', 'port (default from config, 7070)')
    .option('--host <host>', 'interface to bind (default from config, 127.0.0.1)')
    .option('--no-worker', 'with executor.engine dbos: only submit tasks; workers run them (agentd worker)')
    .option(
      '--log-level <level>',
      'debug, info (one line per request), warn or error (default: log.level, info)',
    )
    .action(async (options: { port?: string; host?: string; logLevel?: string; worker: boolean }) => {
      if (options.logLevel !== undefined && !isLogLevel(options.logLevel)) {
        cli.usageError(`--log-level: '${options.logLevel}' is not one of ${LOG_LEVELS.join(', ')}`);
      }
      // Checked before opening the runtime, which resumes interrupted tasks.
      const given = options.port === undefined ? undefined : Number(options.port);
      if (given !== undefined && (!Number.isInteger(given) || given < 0 || given > 65535)) {
        cli.usageError(`--port: '${options.port}' is not a port number`);
      }
      // Resuming waits until the server is up: a refused host or a taken port must change nothing.
      const runtime = await cli.openRuntime({ logLevel: 'info', watchConfig: true, worker: options.worker });
      const server = runtime.settings.server;
      if (server.authTokenMissing) {
        cli.usageError(
          `server.authToken refers to ${server.authTokenMissing}, which is not set; set it or remove server.authToken`,
        );
      }
      const port = given ?? server.port;
      // Only `serve` needs the HTTP stack (hono, the Node adapter, the fetch classes it loads).
      const { startServer } = await import('../../server/index.js');
      const running = await startServer({
        runtime,
        host: options.host ?? server.host,
        port,
        backlog: server.backlog,
        ...(server.authToken ? { authToken: server.authToken } : {}),
        logger: createStderrLogger(
          cli.io,
          (options.logLevel as LogLevel | undefined) ?? runtime.settings.logLevel,
        ),
        ...(server.allowedOrigins.length > 0 ? { allowedOrigins: server.allowedOrigins } : {}),
        version,
      });
      // Adopts tasks a crashed process left running, now and on every heartbeat.
      await runtime.tasks.resumeInterrupted({ watch: true });
      // executor.retention: finished tasks past it are pruned now and every checkEvery (off by default).
      runtime.tasks.applyRetention();
      // Once up: what a first task would load on demand loads now, in the background.
      void runtime.warmUp();
      if (runtime.models.notice) cli.io.stderr.write(`agentd: ${runtime.models.notice}\n`);
      cli.io.stderr.write(
        `agentd: listening on ${running.url} (default model ${runtime.models.defaultModel})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      cli.io.stderr.write('agentd: shutting down; running tasks will resume on the next start\n');
      await running.close();
    });
}
