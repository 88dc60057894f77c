import type pg from 'pg';
import type { Json } from '../../core/json.js';
import type { AuditEvent, AuditStore } from '../audit-store.js';
import { jsonParam, textParam } from './pg-query.js';

/** Each filter of `list` as its SQL condition (its value is the next parameter). */
const FILTERS = {
  before: 'id <',
  action: 'action =',
  target: 'target =',
  tenant: 'tenant =',
} as const;

/** The AuditStore on PostgreSQL: an append-only table. */
export class PostgresAuditStore implements AuditStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(event: AuditEvent): Promise<void> {
    await this.#pool.query(
      'INSERT INTO audit_events (id, at, actor, action, target, tenant, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)',
      [
        event.id,
        event.at,
        textParam(event.actor),
        textParam(event.action),
        textParam(event.target),
        textParam(event.tenant),
        jsonParam(event.details),
      ],
    );
  }

  async list(query: {
    limit: number;
    before?: string;
    action?: string;
    target?: string;
    tenant?: string;
  }): Promise<AuditEvent[]> {
    // Only the filters given enter the statement, so the (target, id) and (tenant, id) indexes serve.
    const values: unknown[] = [];
    const where: string[] = [];
    for (const key of Object.keys(FILTERS) as (keyof typeof FILTERS)[]) {
      const value = query[key];
      if (value === undefined) continue;
      values.push(value);
      where.push(`${FILTERS[key]} $${values.length}`);
    }
    values.push(query.limit);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await this.#pool.query<AuditEvent & { details: Json }>(
      `SELECT id, at, actor, action, target, tenant, details FROM audit_events ${clause}
       ORDER BY id DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map((row) => ({ ...row }));
  }
}
