import type pg from 'pg';
import type { ApiKeyRecord, ApiKeyStore } from '../api-key-store.js';
import { isUniqueViolation, storeConflict } from './pg-errors.js';
import { jsonParam, namedStatement } from './pg-query.js';

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  role: string;
  tenant: string | null;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const COLUMNS =
  'id, name, prefix, hash, role, tenant, created_at, created_by, expires_at, revoked_at, last_used_at';

// Every request with a key looks it up: prepared once per connection.
const findByHash = namedStatement('api_key_by_hash', `SELECT ${COLUMNS} FROM api_keys WHERE hash = $1`);
const getKey = namedStatement('api_key_get', `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`);
// One statement for the batch; a key used twice in it keeps its latest use, and a time older than
// the stored one never moves it backwards.
const touchKeys = namedStatement(
  'api_key_touch',
  `UPDATE api_keys AS k SET last_used_at = uses.at
   FROM (SELECT id, MAX(at) AS at FROM jsonb_to_recordset($1::jsonb) AS u (id text, at bigint) GROUP BY id) AS uses
   WHERE k.id = uses.id AND (k.last_used_at IS NULL OR k.last_used_at < uses.at)`,
);

function recordOf(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    role: row.role,
    tenant: row.tenant,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** The ApiKeyStore on PostgreSQL. */
export class PostgresApiKeyStore implements ApiKeyStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async create(key: ApiKeyRecord): Promise<void> {
    try {
      await this.#pool.query(
        `INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          key.id,
          key.name,
          key.prefix,
          key.hash,
          key.role,
          key.tenant,
          key.createdAt,
          key.createdBy,
          key.expiresAt,
          key.revokedAt,
          key.lastUsedAt,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw storeConflict(`an API key named '${key.name}' (or with this id) already exists`, error);
      }
      throw error;
    }
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.#pool.query<ApiKeyRow>(findByHash([hash]));
    return rows[0] ? recordOf(rows[0]) : null;
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.#pool.query<ApiKeyRow>(getKey([id]));
    return rows[0] ? recordOf(rows[0]) : null;
  }

  async list(query: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
    const where = query.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const { rows } = await this.#pool.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys ${where} ORDER BY created_at DESC, id DESC`,
    );
    return rows.map(recordOf);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.#pool.query(
      'UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, at],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async touch(uses: readonly { id: string; at: number }[]): Promise<void> {
    if (uses.length === 0) return;
    await this.#pool.query(touchKeys([jsonParam(uses.map((use) => ({ id: use.id, at: use.at })))]));
  }
}
