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

/** Each filter of `list` as its SQL condition. */
const FILTERS = {
  before: 'id < @before',
  action: 'action = @action',
  target: 'target = @target',
  tenant: 'tenant = @tenant',
} as const;

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
    tenant?: string;
  }): Promise<AuditEvent[]> {
    // Only the filters given go into the WHERE clause: a `(@x IS NULL OR x = @x)` term would keep
    // SQLite from using the (target, id) and (tenant, id) indexes.
    const params: Record<string, string | number> = { limit: query.limit };
    const where: string[] = [];
    for (const key of Object.keys(FILTERS) as (keyof typeof FILTERS)[]) {
      const value = query[key];
      if (value === undefined) continue;
      where.push(FILTERS[key]);
      params[key] = value;
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.#db
      .prepare(`SELECT * FROM audit_events ${clause} ORDER BY id DESC LIMIT @limit`)
      .all(params) as AuditRow[];
    return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Json }));
  }
}
