import { hostname } from 'node:os';
import type { TaskOrigin, TaskRecord } from '../store/task-store.js';

/** Runners alive in this process, so a closed runner's leases count as dead at once. */
export const liveOwners = new Set<string>();

/** A task left running by a process that is gone, and whether this process may resume it. */
export interface InterruptedTask {
  task: TaskRecord;
  /** Why this process does not resume it on its own (another config), or null when it does. */
  notAdopted: string | null;
}

/** Which tasks are interrupted, and which of them this process adopts (see ADR 0003 and 0047). */
export interface TaskAdoption {
  /** Whether the lease owner is gone: a dead process on this host, or a closed runner here. */
  ownerIsDeadHere(owner: string | null): boolean;
  /** Whether a running task's lease has lapsed (its owner died here, or it went unrenewed too long). */
  leaseLapsed(task: TaskRecord, now: number): boolean;
  /** Why this process must leave the task to another (started with another config), or null. */
  notAdopted(task: TaskRecord): string | null;
}

/** Options of {@link createTaskAdoption}. */
export interface TaskAdoptionOptions {
  /** The config this process runs with; tasks started with another one are left alone. */
  origin?: TaskOrigin | undefined;
  /** A lease renewed longer ago than this (ms) has lapsed. */
  staleAfterMs: number;
  isProcessAlive?: ((pid: number) => boolean) | undefined;
}

/** Creates the adoption rules of one runner. */
export function createTaskAdoption(options: TaskAdoptionOptions): TaskAdoption {
  const isProcessAlive = options.isProcessAlive ?? defaultIsProcessAlive;
  const here = hostname();

  function ownerIsDeadHere(owner: string | null): boolean {
    if (!owner) return true;
    const [host, pid] = owner.split(':');
    if (host !== here || pid === undefined) return false;
    if (Number(pid) === process.pid) return !liveOwners.has(owner);
    return !isProcessAlive(Number(pid));
  }

  return {
    ownerIsDeadHere,
    leaseLapsed(task, now) {
      if (task.status !== 'running') return false;
      return ownerIsDeadHere(task.owner) || (task.heartbeatAt ?? 0) < now - options.staleAfterMs;
    },
    notAdopted(task) {
      const mine = options.origin;
      // Tasks stored before agentd recorded their config, and runners given none, adopt as before.
      if (!mine || !task.origin) return null;
      if (task.origin.configPath !== mine.configPath) {
        return task.origin.configPath === null
          ? 'started with no config file'
          : `started with ${task.origin.configPath}`;
      }
      if (task.origin.configFingerprint !== mine.configFingerprint) {
        return `started with a different configuration of ${task.origin.configPath ?? 'the defaults and environment'} (changed since)`;
      }
      return null;
    },
  };
}

function defaultIsProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
