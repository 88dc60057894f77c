import type Database from 'better-sqlite3';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';
import type { SecretRecord, SecretStore, SecretSummary } from '../secret-store.js';

interface SecretRow {
  name: string;
  ciphertext: Buffer;
  nonce: Buffer;
  key_id: string;
  created_at: number;
  updated_at: number;
}

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

/** The SecretStore on SQLite (table `secrets`). */
export class SqliteSecretStore implements SecretStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async put(record: SecretRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO secrets (name, ciphertext, nonce, key_id, created_at, updated_at)
         VALUES (@name, @ciphertext, @nonce, @keyId, @createdAt, @updatedAt)
         ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, nonce = excluded.nonce,
           key_id = excluded.key_id, updated_at = excluded.updated_at`,
      )
      .run(record);
  }

  async get(name: string): Promise<SecretRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM secrets WHERE name = ?').get(name) as SecretRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  async all(): Promise<SecretRecord[]> {
    return (this.#db.prepare('SELECT * FROM secrets ORDER BY name').all() as SecretRow[]).map(toRecord);
  }

  async list(): Promise<SecretSummary[]> {
    const rows = this.#db
      .prepare('SELECT name, created_at, updated_at FROM secrets ORDER BY name')
      .all() as Pick<SecretRow, 'name' | 'created_at' | 'updated_at'>[];
    return rows.map((row) => ({ name: row.name, createdAt: row.created_at, updatedAt: row.updated_at }));
  }

  async remove(name: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes > 0;
  }

  async replaceAll(records: SecretRecord[]): Promise<void> {
    const update = this.#db.prepare(
      `UPDATE secrets SET ciphertext = @ciphertext, nonce = @nonce, key_id = @keyId, updated_at = @updatedAt
       WHERE name = @name`,
    );
    const count = this.#db.prepare('SELECT COUNT(*) AS n FROM secrets');
    // IMMEDIATE: no other writer may add a secret between the count and the updates.
    this.#db
      .transaction(() => {
        const stored = (count.get() as { n: number }).n;
        const names = new Set(records.map((r) => r.name));
        let changed = 0;
        for (const record of records) changed += update.run(record).changes;
        if (changed !== stored || changed !== records.length || names.size !== records.length) {
          // Throwing rolls the whole transaction back: no secret is left under the new key alone.
          throw new AgentdError({
            code: 'store.conflict',
            message: `the secrets changed during key rotation (${stored} stored, ${changed} re-encrypted); nothing was changed, run it again`,
          });
        }
      })
      .immediate();
  }
}
