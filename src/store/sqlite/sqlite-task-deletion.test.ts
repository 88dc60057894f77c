import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from './open-sqlite-stores.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('SqliteTaskStore.deleteFinished', () => {
  it('undoes every delete of the task when one of them fails: no half-deleted task', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'agentd-delete-'));
    folders.push(folder);
    const path = join(folder, 'agentd.db');
    const stores = openSqliteStores({ path });
    try {
      await stores.tasks.create({
        id: 'task_a',
        status: 'succeeded',
        prompt: 'p',
        input: { prompt: 'p' },
        output: 'done',
        error: null,
        result: null,
        simulated: true,
        owner: null,
        heartbeatAt: null,
        createdAt: 1,
        startedAt: 1,
        finishedAt: 2,
      });
      await stores.tasks.appendEvent('task_a', {
        type: 'task-start',
        time: 1,
        data: { taskId: 'task_a', prompt: 'p' },
      });
      await stores.journal.record({
        taskId: 'task_a',
        key: '1',
        name: 'model',
        status: 'completed',
        output: 'x',
        error: null,
        startedAt: 1,
        finishedAt: 2,
      });
      // The last statement of the deletion fails (as a full disk or a crash would stop it there).
      const other = new Database(path);
      other.exec(
        `CREATE TRIGGER refuse_task_delete BEFORE DELETE ON tasks BEGIN SELECT RAISE(ABORT, 'disk full'); END;`,
      );
      other.close();

      await expect(stores.tasks.deleteFinished('task_a', 10)).rejects.toThrow(/disk full/);

      expect((await stores.tasks.get('task_a'))?.status).toBe('succeeded');
      expect(await stores.tasks.listEvents('task_a')).toHaveLength(1);
      expect(await stores.journal.list('task_a')).toHaveLength(1);
    } finally {
      await stores.close();
    }
  });
});
