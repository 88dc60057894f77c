import type Database from 'better-sqlite3';
import type { Json } from '../../core/json.js';
import type { AuditEvent, AuditStore } from '../audit-store.js';

interface AuditRow {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string;
  tenant: string | null;
  details: string;
}

/** The AuditStore on SQLite: an append-only table. */
export class SqliteAuditStore implements AuditStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async append(event: AuditEvent): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO audit_events (id, at, actor, action, target, tenant, details) VALUES (@id, @at, @actor, @action, @target, @tenant, @details)',
      )
      .run({ ...event, details: JSON.stringify(event.details) });
  }

  async list(query: {
    limit: number;
    before?: string;
    action?: string;
    target?: string;
  }): Promise<AuditEvent[]> {
    const rows = this.#db
      .prepare(
        `
        SELECT * FROM audit_events
        WHERE (@before IS NULL OR id < @before) AND (@action IS NULL OR action = @action)
          AND (@target IS NULL OR target = @target)
        ORDER BY id DESC LIMIT @limit
      `,
      )
      .all({
        limit: query.limit,
        before: query.before ?? null,
        action: query.action ?? null,
        target: query.target ?? null,
      }) as AuditRow[];
    return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Json }));
  }
}
