import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Json } from '../core/json.js';
import type { Actor } from '../security/index.js';
import type { AuditEvent, AuditStore } from '../store/audit-store.js';

/** Records one change made through an operation: who (the actor, else `api`), what, on what. */
export function recordChange(
  deps: { audit: AuditStore; clock: Clock },
  change: { actor: Actor | undefined; action: string; target: string; tenant: string | null; details: Json },
): Promise<void> {
  const at = deps.clock.now();
  return deps.audit.append({
    id: newId('audit', at),
    at,
    actor: change.actor?.id ?? 'api',
    action: change.action,
    target: change.target,
    tenant: change.tenant,
    details: change.details,
  });
}

/** One change to record: who (the actor, else `api`), what, on what. */
export type AuditedChange = Parameters<typeof recordChange>[1];

/** The audit log of changes made through operations. */
export interface AuditLog {
  /** Records a change or a refused attempt (a failed authentication, a denied operation). */
  record(change: AuditedChange): Promise<void>;
  /** Newest first. */
  list(query?: {
    limit?: number;
    before?: string;
    action?: string;
    target?: string;
    /** Only this tenant's events (exact match); absent: every tenant's, and those without one. */
    tenant?: string;
  }): Promise<AuditEvent[]>;
}

/** Reads the audit store with the defaults users get. */
export function createAuditLog(audit: AuditStore, clock: Clock): AuditLog {
  return {
    record: (change) => recordChange({ audit, clock }, change),
    list(query = {}) {
      return audit.list({
        limit: query.limit ?? 50,
        ...(query.before ? { before: query.before } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.target ? { target: query.target } : {}),
        ...(query.tenant ? { tenant: query.tenant } : {}),
      });
    },
  };
}
