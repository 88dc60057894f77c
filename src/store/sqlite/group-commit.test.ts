import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupCommitOf } from './group-commit.js';

let dir: string;
let writer: Database.Database;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentd-group-commit-'));
  const path = join(dir, 'test.db');
  writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  reader = new Database(path);
});

afterEach(() => {
  writer.close();
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Increments each time another connection commits to the file. */
const dataVersion = () => reader.pragma('data_version', { simple: true }) as number;
const names = () => reader.prepare('SELECT name FROM rows ORDER BY id').pluck().all();
const insert = (name: string) => () => writer.prepare('INSERT INTO rows (name) VALUES (?)').run(name);

describe('group commit', () => {
  it('commits the writes asked for in one turn in one transaction, in order, before any resolves', async () => {
    const group = groupCommitOf(writer);
    const before = dataVersion();
    const first = group.write(insert('a'));
    const second = group.write(insert('b'));
    // Nothing has run yet: the group runs at the end of the turn.
    expect(names()).toEqual([]);
    await Promise.all([first, second]);
    expect(names()).toEqual(['a', 'b']);
    expect(dataVersion()).toBe(before + 1);
  });

  it('resolves each write with its own result', async () => {
    const group = groupCommitOf(writer);
    const results = await Promise.all([
      group.write(() => writer.prepare('INSERT INTO rows (name) VALUES (?) RETURNING id').get('x')),
      group.write(() => writer.prepare('INSERT INTO rows (name) VALUES (?) RETURNING id').get('y')),
    ]);
    expect(results).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rejects a failing write with its own error and still commits the others', async () => {
    const group = groupCommitOf(writer);
    const outcomes = await Promise.allSettled([
      group.write(insert('same')),
      group.write(insert('same')),
      group.write(insert('other')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(names()).toEqual(['same', 'other']);
  });

  it('rejects every write of the group when the write lock cannot be had', async () => {
    writer.pragma('busy_timeout = 0');
    reader.exec('BEGIN IMMEDIATE');
    const group = groupCommitOf(writer);
    const outcomes = await Promise.allSettled([group.write(insert('a')), group.write(insert('b'))]);
    reader.exec('ROLLBACK');
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
    expect(names()).toEqual([]);
  });

  it('runs the pending group at once on flush, as a close does', async () => {
    const group = groupCommitOf(writer);
    const write = group.write(insert('now'));
    group.flush();
    expect(names()).toEqual(['now']);
    await write;
  });
});
