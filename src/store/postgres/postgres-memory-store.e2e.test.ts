import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { seededRandom } from '../../core/random.js';
import { expectAgentdError } from '../conformance/expect-agentd-error.js';
import { memoryRecord, randomVector } from '../conformance/memory-fixtures.js';
import { describeMemoryStoreConformance } from '../conformance/memory-store-conformance.js';
import { memoryMigrations } from './memory-migrations.js';
import { pgMemoryIndexProblems } from './pg-memory-index-checks.js';
import { detectPgvector, openPostgresMemoryStore, PostgresMemoryStore } from './postgres-memory-store.js';
import { applyTestMigrations, createTestSchema, TEST_DATABASE_URL } from './testing-pg-schema.js';
import type { TestSchema } from './testing-pg-schema.js';

// A few conformance cases write thousands of memories one at a time: each is a round trip to the
// server (a commit), not a call into SQLite in the same process.
vi.setConfig({ testTimeout: 90_000 });

describeMemoryStoreConformance('Postgres, quantized scan', async () => {
  const schema = await createTestSchema();
  await applyTestMigrations(schema.pool, memoryMigrations);
  return { store: new PostgresMemoryStore(schema.pool), close: () => schema.drop() };
});

describe('PostgresMemoryStore', () => {
  let schema: TestSchema;
  afterEach(async () => {
    await schema.drop();
  });

  it('keeps the text statistics and vector codes exact through concurrent writers and rollbacks', async () => {
    schema = await createTestSchema({ poolSize: 8 });
    await applyTestMigrations(schema.pool, memoryMigrations);
    // Two stores on two pools: two processes sharing the database.
    const other = new pg.Pool({
      connectionString: TEST_DATABASE_URL,
      max: 4,
      options: `-c search_path=${schema.name}`,
    });
    try {
      const stores = [new PostgresMemoryStore(schema.pool), new PostgresMemoryStore(other)];
      const random = seededRandom(3);
      const words = ['harbor', 'lighthouse', 'quarry', 'the', 'report', 'running', 'Berlin', 'café'];
      const text = () =>
        Array.from(
          { length: 2 + Math.floor(random() * 5) },
          () => words[Math.floor(random() * words.length)],
        ).join(' ');
      await Promise.all(
        stores.map(async (store, s) => {
          const writes: Promise<unknown>[] = [];
          for (let i = 0; i < 40; i++) {
            const tenant = i % 2 === 0 ? 'acme' : 'beta';
            const id = `s${s}m${i}`;
            writes.push(
              store
                .addMany([memoryRecord({ id, tenant, content: text(), embedding: randomVector(random, 8) })])
                .then(async () => {
                  if (i % 3 === 0)
                    await store.update(id, tenant, { content: text(), embedding: randomVector(random, 8) });
                  if (i % 5 === 0) await store.forget(id, tenant);
                  // A batch that fails on its last record writes nothing, statistics included.
                  if (i % 7 === 0 && i % 5 !== 0) {
                    await expectAgentdError(
                      store.apply(tenant, {
                        add: [memoryRecord({ id: `${id}x`, tenant, content: text() })],
                        update: [
                          { id, patch: { content: text() } },
                          { id, patch: { importance: 3 } },
                        ],
                        forget: [id],
                      }),
                      'memory.invalid',
                    );
                  }
                }),
            );
          }
          await Promise.all(writes);
        }),
      );
      expect(await stores[0]!.count({ tenant: 'acme' })).toBe(32);
      expect(await pgMemoryIndexProblems(schema.pool)).toEqual([]);
    } finally {
      await other.end();
    }
  });

  it('sees vectors another process wrote, moved or forgot after it cached their scope', async () => {
    schema = await createTestSchema();
    await applyTestMigrations(schema.pool, memoryMigrations);
    const other = new pg.Pool({
      connectionString: TEST_DATABASE_URL,
      max: 2,
      options: `-c search_path=${schema.name}`,
    });
    try {
      const [reader, writer] = [new PostgresMemoryStore(schema.pool), new PostgresMemoryStore(other)];
      const random = seededRandom(9);
      await writer.addMany(
        Array.from({ length: 50 }, (_, i) =>
          memoryRecord({ id: `m${i}`, embedding: randomVector(random, 8) }),
        ),
      );
      const target = randomVector(random, 8);
      const nearest = async () =>
        (
          await reader.searchVector({
            vector: target,
            filter: { tenant: 'acme', layers: ['semantic'] },
            limit: 1,
          })
        )[0]?.id;
      const before = await nearest();
      await writer.add(memoryRecord({ id: 'twin', embedding: target }));
      expect(await nearest()).toBe('twin');
      await writer.update('twin', 'acme', { layer: 'episodic' });
      expect(await nearest()).toBe(before);
      await writer.update('twin', 'acme', { layer: 'semantic' });
      expect(await nearest()).toBe('twin');
      await writer.update('twin', 'acme', { embedding: target.map((x) => -x) });
      expect(await nearest()).toBe(before);
      await writer.update('twin', 'acme', { embedding: target });
      expect(await nearest()).toBe('twin');
      await writer.forget('twin', 'acme');
      expect(await nearest()).toBe(before);
    } finally {
      await other.end();
    }
  });

  it('refuses text Postgres cannot store, and finds nothing by it', async () => {
    schema = await createTestSchema();
    await applyTestMigrations(schema.pool, memoryMigrations);
    const store = new PostgresMemoryStore(schema.pool);
    await expectAgentdError(
      store.add(memoryRecord({ id: 'm1', content: 'nul \u0000 byte' })),
      'memory.invalid',
    );
    await store.add(memoryRecord({ id: 'm2' }));
    expect(await store.get('m2\u0000', 'acme')).toBeNull();
    expect(await store.count({ tenant: 'acme\u0000' })).toBe(0);
    expect(
      await store.searchText({ text: 'content', filter: { tenant: 'acme', team: '\u0000' }, limit: 5 }),
    ).toEqual([]);
  });

  it('reports the quantized scan and whether pgvector is there', async () => {
    schema = await createTestSchema();
    await applyTestMigrations(schema.pool, memoryMigrations);
    const logged: unknown[] = [];
    const logger = {
      ...silentLogger,
      info: (message: string, fields?: Record<string, unknown>) => void logged.push({ message, fields }),
    };
    const store = await openPostgresMemoryStore({ pool: schema.pool, logger });
    expect(store.vectorIndex).toBe('quantized-scan');
    expect(store.pgvector).toEqual(await detectPgvector(schema.pool));
    expect(logged).toEqual([
      expect.objectContaining({ fields: { vectorIndex: 'quantized-scan', pgvector: store.pgvector } }),
    ]);
  });
});
