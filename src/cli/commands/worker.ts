import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

/**
 * `agentd worker`: runs tasks from the DBOS queue without the HTTP server, until SIGINT/SIGTERM.
 * Its tasks in flight stay pending at shutdown; it resumes them when it starts again under the same
 * executor id, or another worker's reaper hands them on once its heartbeat is stale.
 */
export function registerWorker(program: Command, cli: CliContext): void {
  program
    .command('worker')
    .description('Run tasks from the shared queue without the HTTP server (executor.engine: dbos)')
    .action(async () => {
      const runtime = await cli.openRuntime({ logLevel: 'info', worker: true });
      if (!runtime.cluster) {
        cli.usageError(
          'agentd worker needs executor.engine: dbos and executor.dbos.url (or AGENTD_DBOS_URL)',
        );
      }
      cli.io.stderr.write('agentd: worker running; tasks come from the queue\n');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      cli.io.stderr.write(
        'agentd: worker stopping; its running tasks resume on the next start or elsewhere\n',
      );
    });
}
