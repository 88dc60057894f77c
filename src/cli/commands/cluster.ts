import type { Command } from 'commander';
import { clusterStatus } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { table } from '../format.js';

/** `agentd cluster status`: the workers sharing the DBOS queue, their heartbeats, the queue's depth. */
export function registerCluster(program: Command, cli: CliContext): void {
  const cluster = program.command('cluster').description('The workers of a cluster (executor.engine: dbos)');
  cluster
    .command('status')
    .description('List workers, their heartbeats, and how many tasks wait on the queue')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await cli.invoke(clusterStatus, {});
      if (options.json) {
        cli.io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      const now = Date.now();
      cli.io.stdout.write(
        `${table(
          ['EXECUTOR', 'VERSION', 'HOST', 'PID', 'HEARTBEAT', 'STATE'],
          status.workers.map((w) => [
            w.executorId,
            w.applicationVersion,
            w.host,
            String(w.pid),
            `${Math.max(0, Math.round((now - w.heartbeatAt) / 1000))} s ago`,
            w.stale ? 'stale' : 'live',
          ]),
        )}\nqueue ${status.queue.name}: ${status.queue.enqueued} waiting, ${status.queue.pending} running\n`,
      );
    });
}
