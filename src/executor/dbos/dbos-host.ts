import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk';
import type { Clock } from '../../core/clock.js';
import { AgentdError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ReviewStore } from '../../store/review-store.js';
import type { DurableEngine } from '../durable-context.js';
import type { DbosConfig } from '../executor-config.js';
import '../executor-error-codes.js';
import type { TaskDispatcher } from '../task-dispatcher.js';
import { createDbosEngine } from './dbos-engine.js';
import { startWorkerLease } from './worker-lease.js';
import type { WorkerLease } from './worker-lease.js';
import type { ClusterStatus } from '../cluster-status.js';

/** The DBOS workflow every task runs as (its one argument is the task id). */
export const TASK_WORKFLOW = 'agentd.task';

/** How long a dispatch after a suspension waits for the suspended run to record its end. */
const END_WAIT_MS = 30_000;

/** DBOS runs one application per process: the host that launched it, while it is open. */
let active:
  { serve(run: (taskId: string) => Promise<void>): void; run(taskId: string): Promise<void> } | undefined;
let registered: ((taskId: string) => Promise<void>) | undefined;

/** DBOS Transact for one runtime: the engine, the dispatcher to its queue, and this worker's lease. */
export interface DbosHost {
  engine: DurableEngine;
  dispatcher: TaskDispatcher;
  /** Workers, their heartbeats and the queue's depth. */
  status(): Promise<ClusterStatus>;
  /** Stops taking tasks and leaves running ones pending (a restart or another worker resumes them). */
  close(): Promise<void>;
}

/**
 * Opens DBOS on `config.url`. A worker (the default) launches DBOS under its executor id, holds that
 * id with a Postgres advisory lock (refusing to start when a live process holds it), heartbeats and
 * takes part in the reaper election (ADR 0086); a submitter (`worker: false`) only uses a DBOS client.
 * `deadLetter` fails a task that was taken over from dead workers too often.
 */
export async function openDbosHost(options: {
  config: DbosConfig;
  worker: boolean;
  reviews: ReviewStore;
  clock: Clock;
  logger: Logger;
  deadLetter(taskId: string, attempts: number): Promise<void>;
}): Promise<DbosHost> {
  const { config, logger } = options;
  const url = config.url;
  if (!url) {
    throw new AgentdError({
      code: 'executor.dbos_url_missing',
      message: 'executor.engine is dbos but executor.dbos.url is not set (or AGENTD_DBOS_URL)',
    });
  }
  if (options.worker && active) {
    throw new AgentdError({
      code: 'executor.dbos_busy',
      message: 'DBOS runs one worker per process, and another runtime in this process has it open',
    });
  }
  const client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'agentd' });
  let lease: WorkerLease | undefined;
  let serveRun: ((taskId: string) => Promise<void>) | undefined;
  let servedResolve!: (run: (taskId: string) => Promise<void>) => void;
  const served = new Promise<(taskId: string) => Promise<void>>((resolve) => (servedResolve = resolve));

  if (options.worker) {
    try {
      lease = await startWorkerLease({
        url,
        config,
        logger,
        client,
        deadLetter: options.deadLetter,
      });
      active = {
        serve: (run) => servedResolve(run),
        // A workflow recovered at launch waits until the task runner says how to run it.
        run: async (taskId) => (await served)(taskId),
      };
      // Registered once per process; the body runs tasks through the host that is open now.
      registered ??= DBOS.registerWorkflow(
        async (taskId: string): Promise<void> => {
          if (!active) throw new Error('no agentd runtime has DBOS open in this process');
          await active.run(taskId);
        },
        { name: TASK_WORKFLOW },
      );
      // Workers starting together on a fresh database would race DBOS's own migrations.
      await lease.migrateOnce(() => DBOS.migrate(url));
      DBOS.setConfig({
        name: 'agentd',
        systemDatabaseUrl: url,
        applicationVersion: config.applicationVersion,
        executorID: config.executorId,
        logLevel: 'warn',
        listenQueues: [config.queue],
        runMigrations: false,
      });
      await DBOS.launch();
      await DBOS.registerQueue(config.queue, {
        workerConcurrency: config.workerConcurrency,
        minPollingIntervalMs: 200,
      });
    } catch (error) {
      active = undefined;
      if (DBOS.isInitialized()) await DBOS.shutdown({ deregister: false });
      await lease?.close();
      await client.destroy();
      throw error;
    }
  } else {
    await client
      .registerQueue(config.queue, { onConflict: 'never_update' })
      .catch((error: unknown) => logger.warn('could not register the DBOS queue', { error: String(error) }));
  }

  const engine = createDbosEngine({
    reviews: options.reviews,
    clock: options.clock,
    listSteps: async (taskId) => (await client.listWorkflowSteps(taskId)) ?? [],
    ...(lease ? { checkLease: lease.check } : {}),
  });

  const dispatcher: TaskDispatcher = {
    async dispatch(taskId, { afterEnd = false } = {}) {
      let current = await client.getWorkflow(taskId);
      // A suspended run records its end a moment after the task shows `waiting`.
      for (let waited = 0; afterEnd && current?.status === 'PENDING' && waited < END_WAIT_MS; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        current = await client.getWorkflow(taskId);
      }
      if (!current) {
        await client.enqueue(
          {
            queueName: config.queue,
            workflowName: TASK_WORKFLOW,
            workflowID: taskId,
            appVersion: config.applicationVersion,
          },
          taskId,
        );
        return;
      }
      // Ended (the task waited for a human, whose answer queued it again): rewound past its last
      // step, so every recorded step stays and the workflow replays them on the queue.
      if (current.status === 'SUCCESS') {
        const steps = (await client.listWorkflowSteps(taskId)) ?? [];
        const next = Math.max(-1, ...steps.map((s) => s.functionID)) + 1;
        await client.rewindWorkflow(taskId, { startStep: next, queueName: config.queue });
      }
    },
    async cancel(taskId) {
      if (await client.getWorkflow(taskId)) await client.cancelWorkflow(taskId);
    },
    serve(run) {
      serveRun = run;
      if (options.worker) servedResolve(run);
    },
  };

  return {
    engine,
    dispatcher,
    status: () => (lease ? lease.status() : statusWithoutLease(url, config)),
    async close() {
      if (options.worker) {
        await lease?.close();
        // Running workflows are left pending: their tasks' runs were aborted by the task runner.
        await DBOS.shutdown({ deregister: false });
        active = undefined;
      }
      void serveRun;
      await client.destroy();
    },
  };
}

/** The cluster status for a process that is not a worker (it reads the same tables). */
async function statusWithoutLease(url: string, config: DbosConfig): Promise<ClusterStatus> {
  const { readClusterStatus } = await import('./worker-lease.js');
  return readClusterStatus(url, config);
}
