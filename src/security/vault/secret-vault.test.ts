import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../../core/errors.js';
import { expectAgentdError } from '../../store/conformance/expect-agentd-error.js';
import type { SecretStore } from '../../store/secret-store.js';
import { openSqliteDatabase } from '../../store/sqlite/open-sqlite-stores.js';
import { SqliteSecretStore } from '../../store/sqlite/sqlite-secret-store.js';
import { generateMasterKey, parseMasterKey } from './master-key.js';
import { keyIdOf } from './secret-cipher.js';
import { createSecretVault } from './secret-vault.js';
import type { SecretVault } from './secret-vault.js';

const PLANTED = 'sk-planted-0123456789abcdef';
const folders: string[] = [];
const closers: (() => void)[] = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function setup(masterKey?: string): {
  vault: SecretVault;
  store: SecretStore;
  home: string;
  dbPath: string;
  reopen(masterKey?: string): SecretVault;
} {
  const home = mkdtempSync(join(tmpdir(), 'agentd-vault-'));
  folders.push(home);
  const dbPath = join(home, 'agentd.db');
  const db = openSqliteDatabase({ path: dbPath });
  closers.push(() => db.close());
  const store = new SqliteSecretStore(db);
  let time = 1_000;
  const open = (key?: string) =>
    createSecretVault({
      store,
      keys: { masterKey: key, keyFile: join(home, 'secrets.key') },
      clock: { now: () => (time += 1) },
    });
  return { vault: open(masterKey), store, home, dbPath, reopen: open };
}

describe('secret vault', () => {
  it('round-trips a value and keeps only ciphertext in the database file', async () => {
    const { vault, store, dbPath } = setup();
    await vault.set('OPENAI_KEY', PLANTED);
    expect(await vault.get('OPENAI_KEY')).toBe(PLANTED);
    expect(await vault.get('MISSING')).toBeUndefined();
    const record = await store.get('OPENAI_KEY');
    expect(record?.nonce.length).toBe(12);
    expect(record?.ciphertext.includes(Buffer.from(PLANTED))).toBe(false);
    expect(readFileSync(dbPath).includes(Buffer.from(PLANTED))).toBe(false);
    expect(existsSync(`${dbPath}-wal`) && readFileSync(`${dbPath}-wal`).includes(Buffer.from(PLANTED))).toBe(
      false,
    );
  });

  it('uses a fresh nonce for every value, even the same one', async () => {
    const { vault, store } = setup();
    await vault.set('A', PLANTED);
    await vault.set('B', PLANTED);
    const [a, b] = await store.all();
    expect(a?.nonce.equals(b?.nonce ?? Buffer.alloc(0))).toBe(false);
    expect(a?.ciphertext.equals(b?.ciphertext ?? Buffer.alloc(0))).toBe(false);
  });

  it('binds a value to its name: a ciphertext moved to another name does not decrypt', async () => {
    const { vault, store } = setup();
    await vault.set('A', PLANTED);
    await vault.set('B', 'other');
    const a = await store.get('A');
    await store.put({ ...(a as NonNullable<typeof a>), name: 'B' });
    const error = await expectAgentdError(vault.get('B'), 'vault.wrong_key');
    expect(error.message).not.toContain(PLANTED);
  });

  it('creates the key file on first use with mode 0600 and refuses one others can read', async () => {
    const { vault, home, reopen } = setup();
    await vault.set('A', PLANTED);
    const keyFile = join(home, 'secrets.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    chmodSync(keyFile, 0o644);
    const error = await expectAgentdError(reopen().get('A'), 'vault.key_file_permissions');
    expect(error.message).toContain('chmod 600');
  });

  it('refuses a key file that is a symlink', async () => {
    const { vault, home, reopen } = setup();
    await vault.set('A', PLANTED);
    const keyFile = join(home, 'secrets.key');
    writeFileSync(join(home, 'elsewhere.key'), readFileSync(keyFile), { mode: 0o600 });
    rmSync(keyFile);
    symlinkSync(join(home, 'elsewhere.key'), keyFile);
    await expectAgentdError(reopen().get('A'), 'vault.key_file_permissions');
  });

  it('takes AGENTD_MASTER_KEY as hex or base64 and writes no key file then', async () => {
    const key = generateMasterKey();
    const { vault, home, reopen } = setup(key.toString('hex'));
    await vault.set('A', PLANTED);
    expect(existsSync(join(home, 'secrets.key'))).toBe(false);
    expect(await reopen(key.toString('base64')).get('A')).toBe(PLANTED);
    // Another key is named as the wrong one, with fingerprints only.
    const error = await expectAgentdError(
      reopen(generateMasterKey().toString('hex')).get('A'),
      'vault.wrong_key',
    );
    expect(error.message).toContain(keyIdOf(key));
  });

  it('rejects a master key that is not 32 bytes without quoting it', () => {
    for (const bad of [
      'short',
      'x'.repeat(64),
      Buffer.alloc(31).toString('base64'),
      `${'ab'.repeat(31)}zz`,
    ]) {
      let thrown: unknown;
      try {
        parseMasterKey(bad, 'AGENTD_MASTER_KEY');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AgentdError);
      expect((thrown as AgentdError).code).toBe('vault.invalid_key');
      expect((thrown as AgentdError).message).toContain('AGENTD_MASTER_KEY');
      expect((thrown as AgentdError).message).not.toContain(bad);
    }
  });

  it('rejects invalid names and empty values', async () => {
    const { vault } = setup();
    await expectAgentdError(vault.set('bad name', 'x'), 'vault.invalid_name');
    await expectAgentdError(vault.set('A', ''), 'vault.invalid_value');
  });

  it('lists names and dates, and removes', async () => {
    const { vault } = setup();
    await vault.set('B', PLANTED);
    await vault.set('A', PLANTED);
    const listed = await vault.list();
    expect(listed.map((s) => s.name)).toEqual(['A', 'B']);
    expect(JSON.stringify(listed)).not.toContain(PLANTED);
    expect(await vault.remove('A')).toBe(true);
    expect(await vault.remove('A')).toBe(false);
  });

  it('rotates the key file: every value re-encrypted, the old key no longer opens them', async () => {
    const { vault, store, home, reopen } = setup();
    await vault.set('A', PLANTED);
    await vault.set('B', 'second');
    const keyFile = join(home, 'secrets.key');
    const oldKey = readFileSync(keyFile, 'utf8');
    const result = await vault.rotateKey();
    expect(result).toEqual({ reencrypted: 2, keySource: 'file' });
    const newKey = readFileSync(keyFile, 'utf8');
    expect(newKey).not.toBe(oldKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(new Set((await store.all()).map((r) => r.keyId))).toEqual(
      new Set([keyIdOf(parseMasterKey(newKey, 'k'))]),
    );
    expect(await reopen().get('A')).toBe(PLANTED);
    expect(await reopen().get('B')).toBe('second');
    await expectAgentdError(reopen(oldKey.trim()).get('A'), 'vault.wrong_key');
  });

  it('leaves every value under the old key when the database refuses the rotation', async () => {
    const { vault, store, home, reopen } = setup();
    await vault.set('A', PLANTED);
    const keyFile = join(home, 'secrets.key');
    const oldKey = readFileSync(keyFile, 'utf8');
    const failing = createSecretVault({
      store: { ...bind(store), replaceAll: () => Promise.reject(new Error('disk full')) },
      keys: { keyFile },
      clock: { now: () => 5 },
    });
    await expect(failing.rotateKey()).rejects.toThrow('disk full');
    expect(readFileSync(keyFile, 'utf8')).toBe(oldKey);
    expect(existsSync(`${keyFile}.next`)).toBe(false);
    expect(await reopen().get('A')).toBe(PLANTED);
  });

  it('finishes a rotation that crashed after the database committed', async () => {
    const { vault, store, home, reopen } = setup();
    await vault.set('A', PLANTED);
    const keyFile = join(home, 'secrets.key');
    // The crash: the new key is pending and the database is under it, but the rename never ran.
    const next = generateMasterKey();
    const rotated = createSecretVault({
      store,
      keys: { masterKey: next.toString('hex'), keyFile: join(home, 'other.key') },
      clock: { now: () => 9 },
    });
    const current = parseMasterKey(readFileSync(keyFile, 'utf8'), 'k');
    await createSecretVault({
      store,
      keys: { masterKey: current.toString('hex'), keyFile: join(home, 'x.key') },
      clock: { now: () => 9 },
    }).rotateKey({ newKey: next });
    writeFileSync(`${keyFile}.next`, `${next.toString('base64')}\n`, { mode: 0o600 });
    expect(await reopen().get('A')).toBe(PLANTED);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(next.toString('base64'));
    expect(existsSync(`${keyFile}.next`)).toBe(false);
    expect(await rotated.get('A')).toBe(PLANTED);
  });

  it('asks for the new key when the current one comes from AGENTD_MASTER_KEY', async () => {
    const key = generateMasterKey();
    const { vault, reopen } = setup(key.toString('hex'));
    await vault.set('A', PLANTED);
    await expectAgentdError(vault.rotateKey(), 'vault.no_key');
    const next = generateMasterKey();
    expect(await vault.rotateKey({ newKey: next })).toEqual({ reencrypted: 1, keySource: 'env' });
    expect(await reopen(next.toString('base64')).get('A')).toBe(PLANTED);
  });
});

/** The store's methods bound, so a test can override one. */
function bind(store: SecretStore): SecretStore {
  return {
    put: (r) => store.put(r),
    get: (n) => store.get(n),
    all: () => store.all(),
    list: () => store.list(),
    remove: (n) => store.remove(n),
    replaceAll: (r) => store.replaceAll(r),
  };
}
