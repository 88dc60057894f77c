import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentdError } from '../../core/errors.js';
import { openSqliteDatabase } from './open-sqlite-stores.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function thrown(fn: () => unknown): AgentdError {
  try {
    fn();
  } catch (error) {
    return error as AgentdError;
  }
  throw new Error('expected an error');
}

describe('opening the database in an unusable place', () => {
  it('creates missing folders, owner-only', () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-folder-'));
    const db = openSqliteDatabase({ path: join(dir, 'a', 'b', 'agentd.db') });
    db.close();
    expect(statSync(join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
  });

  it('says so when a folder on the way is a file', () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-folder-'));
    writeFileSync(join(dir, 'home'), 'not a folder');
    const error = thrown(() => openSqliteDatabase({ path: join(dir as string, 'home', 'agentd.db') }));
    expect(error.code).toBe('store.unusable_path');
    expect(error.message).toContain(`${join(dir, 'home')} is a file, not a folder`);
  });

  it('says so when the database file is a folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-folder-'));
    mkdirSync(join(dir, 'agentd.db'));
    const error = thrown(() => openSqliteDatabase({ path: join(dir as string, 'agentd.db') }));
    expect(error.code).toBe('store.unusable_path');
    expect(error.message).toContain('is a folder, not a file');
  });

  // Node's recursive mkdir never returns for a folder under /proc (it spun at 100% CPU).
  it.runIf(existsSync('/proc/self'))('fails at once for a folder that cannot be created', () => {
    const error = thrown(() => openSqliteDatabase({ path: '/proc/nope/agentd.db' }));
    expect(error.code).toBe('store.unusable_path');
    expect(error.message).toContain('cannot create the folder /proc/nope');
  });
});
