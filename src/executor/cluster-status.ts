/** One worker as the cluster sees it. */
export interface WorkerInfo {
  executorId: string;
  applicationVersion: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
  /** Whether its heartbeat is older than `staleAfterSeconds`. */
  stale: boolean;
}

/** Workers, heartbeats and queue depth. */
export interface ClusterStatus {
  workers: WorkerInfo[];
  queue: { name: string; enqueued: number; pending: number };
}
