import { AgentdError } from '../core/errors.js';
import '../router/router-error-codes.js';
import type { RouterHealthRecord, RouterStatRecord } from './router-store.js';

const COUNTS = [
  'calls',
  'errors',
  'passes',
  'fails',
  'scoreCount',
  'costUsd',
  'inputTokens',
  'outputTokens',
  'overMaxTokensCalls',
] as const;

/**
 * Throws `router.invalid_stat` for a record no store may write (a NaN or negative count, a
 * non-finite time); every RouterStore checks a whole batch with it before writing any of it.
 */
export function checkRouterStat(record: RouterStatRecord): void {
  const invalid = (field: string) =>
    new AgentdError({
      code: 'router.invalid_stat',
      message: `router stat ${record.modelId} (${record.kind}): ${field} must be a finite, non-negative number`,
      details: { modelId: record.modelId, kind: record.kind, field },
    });
  for (const field of COUNTS) {
    if (!Number.isFinite(record[field]) || record[field] < 0) throw invalid(field);
  }
  for (const field of ['scoreMean', 'scoreM2', 'updatedAt'] as const) {
    if (!Number.isFinite(record[field])) throw invalid(field);
  }
  if (record.latencyEwmaMs !== null && !Number.isFinite(record.latencyEwmaMs)) throw invalid('latencyEwmaMs');
  if (!record.latencySamplesMs.every(Number.isFinite)) throw invalid('latencySamplesMs');
  if (!record.outputTokenSamples.every((n) => Number.isFinite(n) && n >= 0))
    throw invalid('outputTokenSamples');
}

/** Throws `router.invalid_stat` for a health record whose times are not finite numbers (or null). */
export function checkRouterHealth(record: RouterHealthRecord): void {
  for (const field of ['openedAt', 'rateLimitedUntil', 'updatedAt'] as const) {
    const value = record[field];
    if (value === null || Number.isFinite(value)) continue;
    throw new AgentdError({
      code: 'router.invalid_stat',
      message: `router health ${record.scope} ${record.id}: ${field} must be a finite number`,
      details: { scope: record.scope, id: record.id, field },
    });
  }
}
