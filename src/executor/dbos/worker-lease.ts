import { hostname } from 'node:os';
import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import pg from 'pg';
import { AgentdError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ClusterStatus } from '../cluster-status.js';
import type { DbosConfig } from '../executor-config.js';
import '../executor-error-codes.js';

/** Advisory lock namespaces (the first key of `pg_advisory_lock(int, int)`). */
const EXECUTOR_LOCKS = 0x61676e74; // 'agnt'
const REAPER_LOCK = 0x72656170; // 'reap'

/** A worker's hold on its executor id. */
export interface WorkerLease {
  /** Throws `worker.fenced` once the lock's session or the heartbeat was lost: no new steps. */
  check(): void;
  status(): Promise<ClusterStatus>;
  /** Runs `migrate` under the cluster's migration lock (one process at a time). */
  migrateOnce(migrate: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS agentd_workers (
  executor_id text PRIMARY KEY,
  application_version text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS agentd_task_attempts (
  task_id text PRIMARY KEY,
  attempts integer NOT NULL
);`;

/** Creates the cluster tables once, under a transaction-scoped advisory lock (two starts do not race). */
async function migrate(session: pg.ClientBase): Promise<void> {
  await session.query('BEGIN');
  try {
    await session.query('SELECT pg_advisory_xact_lock($1, 0)', [EXECUTOR_LOCKS]);
    await session.query(SCHEMA);
    await session.query('COMMIT');
  } catch (error) {
    await session.query('ROLLBACK');
    throw error;
  }
}

/**
 * Takes this worker's executor id for the life of the process: a session-level advisory lock on a
 * dedicated connection (Postgres releases it when the connection dies, so a SIGKILLed worker frees
 * its id at once). Heartbeats every `heartbeatSeconds` through the same session; every tick, the
 * worker that holds the reaper lock resumes the pending workflows of workers whose heartbeat is
 * older than `staleAfterSeconds` on their original queue, counting attempts per task and
 * dead-lettering past `maxAttempts` (ADR 0086). Hand-written: DBOS's open-source edition recovers only
 * its own executor's workflows, and no library does this on plain Postgres.
 */
export async function startWorkerLease(options: {
  url: string;
  config: DbosConfig;
  logger: Logger;
  client: DBOSClient;
  deadLetter(taskId: string, attempts: number): Promise<void>;
}): Promise<WorkerLease> {
  const { config, logger, client } = options;
  const session = new pg.Client({
    connectionString: options.url,
    application_name: `agentd-worker ${config.executorId}`,
  });
  let lost: string | undefined;
  session.on('error', (error) => {
    lost = `its Postgres session was lost (${error.message})`;
    logger.error('worker lease lost: taking no new steps', {
      executorId: config.executorId,
      error: error.message,
    });
  });
  await session.connect();
  try {
    await migrate(session);
    const { rows } = await session.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok',
      [EXECUTOR_LOCKS, config.executorId],
    );
    if (!rows[0]?.ok) {
      throw new AgentdError({
        code: 'worker.executor_id_in_use',
        message: `executor id '${config.executorId}' is held by a live worker; give this one another executor.dbos.executorId`,
        details: { executorId: config.executorId },
      });
    }
    await session.query(
      `INSERT INTO agentd_workers (executor_id, application_version, host, pid, started_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, now(), now())
       ON CONFLICT (executor_id) DO UPDATE SET application_version = $2, host = $3, pid = $4, started_at = now(), heartbeat_at = now()`,
      [config.executorId, config.applicationVersion, hostname(), process.pid],
    );
  } catch (error) {
    await session.end().catch(() => undefined);
    throw error;
  }

  let leader = false;
  let closed = false;
  let lastBeat = Date.now();
  let ticking: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    await session.query('UPDATE agentd_workers SET heartbeat_at = now() WHERE executor_id = $1', [
      config.executorId,
    ]);
    lastBeat = Date.now();
    if (!leader) {
      const { rows } = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, 0) AS ok', [
        REAPER_LOCK,
      ]);
      leader = rows[0]?.ok === true;
    }
    if (leader) await reap();
  }

  /** Resumes the pending workflows of dead workers elsewhere (on their own queue). */
  async function reap(): Promise<void> {
    const { rows } = await session.query<{ executor_id: string }>(
      `SELECT executor_id FROM agentd_workers
       WHERE executor_id <> $1 AND heartbeat_at < now() - make_interval(secs => $2)`,
      [config.executorId, config.staleAfterSeconds],
    );
    for (const { executor_id: dead } of rows) {
      const pending = await client.listWorkflows({ executorId: dead, status: 'PENDING', loadInput: false });
      const byQueue = new Map<string, string[]>();
      for (const workflow of pending) {
        // Only whole tasks: their steps replay wherever they resume.
        if (workflow.parentWorkflowID) continue;
        const { rows: counted } = await session.query<{ attempts: number }>(
          `INSERT INTO agentd_task_attempts (task_id, attempts) VALUES ($1, 1)
           ON CONFLICT (task_id) DO UPDATE SET attempts = agentd_task_attempts.attempts + 1 RETURNING attempts`,
          [workflow.workflowID],
        );
        const attempts = counted[0]?.attempts ?? 1;
        if (attempts > config.maxAttempts) {
          logger.error('task dead-lettered: its workers died too often', {
            taskId: workflow.workflowID,
            attempts,
          });
          await client.cancelWorkflow(workflow.workflowID);
          await options.deadLetter(workflow.workflowID, attempts);
          continue;
        }
        const queue = workflow.queueName ?? config.queue;
        byQueue.set(queue, [...(byQueue.get(queue) ?? []), workflow.workflowID]);
      }
      for (const [queueName, ids] of byQueue) {
        await client.resumeWorkflows(ids, { queueName });
        logger.warn('resumed the tasks of a dead worker', {
          executorId: dead,
          queue: queueName,
          count: ids.length,
        });
      }
      // Its row goes: a worker that comes back under that id writes it again.
      await session.query(
        'DELETE FROM agentd_workers WHERE executor_id = $1 AND heartbeat_at < now() - make_interval(secs => $2)',
        [dead, config.staleAfterSeconds],
      );
    }
  }

  const timer = setInterval(() => {
    ticking = ticking.then(tick).catch((error: unknown) => {
      if (!closed)
        logger.error('worker heartbeat failed', { executorId: config.executorId, error: String(error) });
    });
  }, config.heartbeatSeconds * 1000);
  timer.unref();

  return {
    check() {
      // A heartbeat older than the staleness bound: the reaper may have handed our tasks on.
      const silent = Date.now() - lastBeat > config.staleAfterSeconds * 1000;
      const why =
        lost ?? (silent ? 'its heartbeat is older than executor.dbos.staleAfterSeconds' : undefined);
      if (why) {
        throw new AgentdError({
          code: 'worker.fenced',
          message: `worker ${config.executorId} takes no new steps: ${why}`,
        });
      }
    },
    status: () => readClusterStatus(options.url, config, session),
    async migrateOnce(migrate) {
      // Polled, not waited for in one statement: a waiting statement holds a snapshot, and DBOS's
      // CREATE INDEX CONCURRENTLY waits for every snapshot, the lock holder's included (a deadlock).
      for (;;) {
        const { rows } = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, 1) AS ok', [
          EXECUTOR_LOCKS,
        ]);
        if (rows[0]?.ok) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      try {
        await migrate();
      } finally {
        await session.query('SELECT pg_advisory_unlock($1, 1)', [EXECUTOR_LOCKS]);
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await ticking;
      await session.end().catch(() => undefined);
    },
  };
}

/** Reads workers and queue depth (through `session`, or a short-lived connection). */
export async function readClusterStatus(
  url: string,
  config: DbosConfig,
  session?: pg.ClientBase,
): Promise<ClusterStatus> {
  const own = session ? undefined : new pg.Client({ connectionString: url });
  const db = session ?? own;
  if (!db) throw new Error('no session');
  try {
    if (own) {
      await own.connect();
      await migrate(own);
    }
    const workers = await db.query<{
      executor_id: string;
      application_version: string;
      host: string;
      pid: number;
      started_at: Date;
      heartbeat_at: Date;
      stale: boolean;
    }>(
      `SELECT *, heartbeat_at < now() - make_interval(secs => $1) AS stale FROM agentd_workers ORDER BY executor_id`,
      [config.staleAfterSeconds],
    );
    const depth = await db.query<{ status: string; count: string }>(
      `SELECT status, count(*) AS count FROM dbos.workflow_status WHERE queue_name = $1 AND status IN ('ENQUEUED', 'PENDING') GROUP BY status`,
      [config.queue],
    );
    const count = (status: string): number => Number(depth.rows.find((r) => r.status === status)?.count ?? 0);
    return {
      workers: workers.rows.map((w) => ({
        executorId: w.executor_id,
        applicationVersion: w.application_version,
        host: w.host,
        pid: w.pid,
        startedAt: w.started_at.getTime(),
        heartbeatAt: w.heartbeat_at.getTime(),
        stale: w.stale,
      })),
      queue: { name: config.queue, enqueued: count('ENQUEUED'), pending: count('PENDING') },
    };
  } finally {
    await own?.end();
  }
}
