import type Database from 'better-sqlite3';
import type { ApiKeyRecord, ApiKeyStore } from '../api-key-store.js';
import { isUniqueViolation, storeConflict } from './sqlite-errors.js';
import { statementCache } from './statement-cache.js';

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

/** The ApiKeyStore on SQLite. */
export class SqliteApiKeyStore implements ApiKeyStore {
  readonly #db: Database.Database;
  /** Every request with a key looks it up: its statements are prepared once. */
  readonly #statement: (sql: string) => Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#statement = statementCache(db);
  }

  async create(key: ApiKeyRecord): Promise<void> {
    try {
      this.#statement(
        `INSERT INTO api_keys (id, name, prefix, hash, role, tenant, created_at, created_by, expires_at, revoked_at, last_used_at)
           VALUES (@id, @name, @prefix, @hash, @role, @tenant, @createdAt, @createdBy, @expiresAt, @revokedAt, @lastUsedAt)`,
      ).run(key);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw storeConflict(`an API key named '${key.name}' (or with this id) already exists`, error);
      }
      throw error;
    }
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const row = this.#statement('SELECT * FROM api_keys WHERE hash = ?').get(hash) as ApiKeyRow | undefined;
    return row ? recordOf(row) : null;
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const row = this.#statement('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
    return row ? recordOf(row) : null;
  }

  async list(query: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
    const where = query.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const rows = this.#db
      .prepare(`SELECT * FROM api_keys ${where} ORDER BY created_at DESC, id DESC`)
      .all() as ApiKeyRow[];
    return rows.map(recordOf);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const result = this.#db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(at, id);
    return result.changes > 0;
  }

  async touch(uses: readonly { id: string; at: number }[]): Promise<void> {
    if (uses.length === 0) return;
    const update = this.#statement(
      'UPDATE api_keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)',
    );
    // One transaction for the batch: one commit, however many keys were used.
    this.#db.transaction(() => {
      for (const use of uses) update.run(use);
    })();
  }
}
