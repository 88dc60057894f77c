// Postgres refuses U+0000 in text and jsonb (SQLite keeps it): a hostile prompt or model output
// holding one is stored with U+FFFD in its place rather than failing the write (ADR 0080).
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  POSTGRES_TEST_URL,
  describePostgres,
  dropTestSchema,
  newTestSchemaName,
} from '../../testing/postgres-test-schema.js';
import { jsonParam } from './pg-query.js';
import { openPostgresStores } from './open-postgres-stores.js';
import type { PostgresStores } from './open-postgres-stores.js';

const schema = newTestSchemaName();
let stores: PostgresStores;

describePostgres('U+0000 on Postgres', () => {
  beforeAll(async () => {
    stores = await openPostgresStores({ url: POSTGRES_TEST_URL, schema, poolSize: 2 });
  });
  afterAll(async () => {
    await stores.close();
    await dropTestSchema(schema);
  });

  it('stores a task whose prompt, input, output and events hold NUL characters, as U+FFFD', async () => {
    await stores.tasks.create({
      id: 'task_nul',
      status: 'queued',
      prompt: 'a\u0000b',
      input: { 'k\u0000': ['v\u0000', 'back\\slash\\u0000 literal'] },
      output: null,
      error: null,
      result: null,
      simulated: false,
      owner: null,
      heartbeatAt: null,
      createdAt: 1,
      startedAt: null,
      finishedAt: null,
    });
    await stores.tasks.update('task_nul', { output: 'out\u0000put', result: { text: '\u0000' } });
    await stores.tasks.appendEvent('task_nul', {
      type: 'task-start',
      time: 2,
      data: { taskId: 'task_nul', prompt: 'x\u0000' },
    });
    const task = await stores.tasks.get('task_nul');
    expect(task).toMatchObject({
      prompt: 'a\ufffdb',
      // The text `\u0000` written with a literal backslash is text, not a NUL: kept as it was.
      input: { 'k\ufffd': ['v\ufffd', 'back\\slash\\u0000 literal'] },
      output: 'out\ufffdput',
      result: { text: '\ufffd' },
    });
    expect((await stores.tasks.listEvents('task_nul'))[0]?.data).toMatchObject({ prompt: 'x\ufffd' });
  });

  it('replaces only real NUL escapes in JSON text', () => {
    expect(JSON.parse(jsonParam({ a: '\u0000', b: '\\u0000', c: '\\\u0000' }))).toEqual({
      a: '\ufffd',
      b: '\\u0000',
      c: '\\\ufffd',
    });
  });
});
