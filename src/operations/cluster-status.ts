import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import { defineOperation } from './define-operation.js';
import './operation-error-codes.js';

const WorkerSchema = z.object({
  executorId: z.string(),
  applicationVersion: z.string(),
  host: z.string(),
  pid: z.number(),
  startedAt: z.number(),
  heartbeatAt: z.number(),
  stale: z.boolean(),
});

/** The workers sharing this runtime's DBOS queue, their heartbeats, and the queue's depth. */
export const clusterStatus = defineOperation({
  name: 'cluster.status',
  description:
    'Workers of the cluster (executor.engine: dbos): executor ids, versions, heartbeats, and how many tasks wait on or run from the queue.',
  input: z.strictObject({}),
  output: z.object({
    workers: z.array(WorkerSchema),
    queue: z.object({ name: z.string(), enqueued: z.number(), pending: z.number() }),
  }),
  permission: 'health.read',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/cluster' },
  async handler(runtime) {
    if (!runtime.cluster) {
      throw new AgentdError({
        code: 'cluster.not_configured',
        message: 'no cluster: executor.engine is journal (set executor.engine: dbos and executor.dbos.url)',
      });
    }
    return runtime.cluster.status();
  },
});
