import type { AuditEvent, AuditStore } from '../store/audit-store.js';

/** The audit log of changes made through operations. */
export interface AuditLog {
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
export function createAuditLog(audit: AuditStore): AuditLog {
  return {
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
