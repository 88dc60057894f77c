import type pg from 'pg';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';
import type { SecretRecord, SecretStore, SecretSummary } from '../secret-store.js';
import { inTransaction } from './pg-query.js';

interface SecretRow {
  name: string;
  ciphertext: Buffer;
  nonce: Buffer;
  key_id: string;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'name, ciphertext, nonce, key_id, created_at, updated_at';

function toRecord(row: SecretRow): SecretRecord {
  return {
    name: row.name,
    ciphertext: row.ciphertext,
    nonce: row.nonce,
    keyId: row.key_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The SecretStore on PostgreSQL (table `secrets`). */
export class PostgresSecretStore implements SecretStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async put(record: SecretRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO secrets (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, nonce = excluded.nonce,
         key_id = excluded.key_id, updated_at = excluded.updated_at`,
      [record.name, record.ciphertext, record.nonce, record.keyId, record.createdAt, record.updatedAt],
    );
  }

  async get(name: string): Promise<SecretRecord | undefined> {
    const { rows } = await this.#pool.query<SecretRow>(`SELECT ${COLUMNS} FROM secrets WHERE name = $1`, [
      name,
    ]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async all(): Promise<SecretRecord[]> {
    const { rows } = await this.#pool.query<SecretRow>(`SELECT ${COLUMNS} FROM secrets ORDER BY name`);
    return rows.map(toRecord);
  }

  async list(): Promise<SecretSummary[]> {
    const { rows } = await this.#pool.query<Pick<SecretRow, 'name' | 'created_at' | 'updated_at'>>(
      'SELECT name, created_at, updated_at FROM secrets ORDER BY name',
    );
    return rows.map((row) => ({ name: row.name, createdAt: row.created_at, updatedAt: row.updated_at }));
  }

  async remove(name: string): Promise<boolean> {
    return ((await this.#pool.query('DELETE FROM secrets WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  async replaceAll(records: SecretRecord[]): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      // No other writer may add, change or remove a secret between the count and the updates.
      await client.query('LOCK TABLE secrets IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<{ n: number }>('SELECT COUNT(*) AS n FROM secrets');
      const stored = rows[0]?.n ?? 0;
      const names = new Set(records.map((r) => r.name));
      let changed = 0;
      for (const record of records) {
        const result = await client.query(
          'UPDATE secrets SET ciphertext = $2, nonce = $3, key_id = $4, updated_at = $5 WHERE name = $1',
          [record.name, record.ciphertext, record.nonce, record.keyId, record.updatedAt],
        );
        changed += result.rowCount ?? 0;
      }
      if (changed !== stored || changed !== records.length || names.size !== records.length) {
        // Throwing rolls the whole transaction back: no secret is left under the new key alone.
        throw new AgentdError({
          code: 'store.conflict',
          message: `the secrets changed during key rotation (${stored} stored, ${changed} re-encrypted); nothing was changed, run it again`,
        });
      }
    });
  }
}
