import type { Json } from '../core/json.js';

/** One audited change: who did what to which record, and when. */
export interface AuditEvent {
  id: string;
  at: number;
  /** Who asked: the interface (`cli`, `http`, `mcp`, `api`) and, when known, the user. */
  actor: string;
  /** `domain.verb`, e.g. `memory.forget`. */
  action: string;
  /** The record changed, e.g. a memory id. */
  target: string;
  tenant: string | null;
  /** What changed (never secret values). */
  details: Json;
}

/** An append-only log of changes made through operations. */
export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  /**
   * Newest first; `before` pages by id; `action`, `target` and `tenant` filter exactly (a `tenant`
   * filter never matches events recorded without a tenant).
   */
  list(query: {
    limit: number;
    before?: string;
    action?: string;
    target?: string;
    tenant?: string;
  }): Promise<AuditEvent[]>;
}
