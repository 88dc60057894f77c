import { existsSync, renameSync, rmSync } from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { AgentdError } from '../../core/errors.js';
import type { SecretStore, SecretSummary } from '../../store/secret-store.js';
import { generateMasterKey, loadMasterKey, masterKeyOf, readKeyFile, writeKeyFile } from './master-key.js';
import type { MasterKey, MasterKeySource } from './master-key.js';
import { openSecret, sealSecret } from './secret-cipher.js';
import './vault-error-codes.js';

/** Secret names: like environment variable names, so `secret:NAME` and `env:NAME` read alike. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The largest value the vault holds (keys, tokens, a PEM block; not files). */
export const MAX_SECRET_BYTES = 64 * 1024;

/** The secrets vault: values encrypted at rest with AES-256-GCM under a master key kept outside the database. */
export interface SecretVault {
  /** Stores (or replaces) a secret; creates the key file on first use when no `AGENTD_MASTER_KEY` is set. */
  set(name: string, value: string): Promise<{ replaced: boolean }>;
  /** The decrypted value, or undefined when there is no such secret. */
  get(name: string): Promise<string | undefined>;
  /** Names and dates, never values. */
  list(): Promise<SecretSummary[]>;
  /** Deletes a secret; false when there was none. */
  remove(name: string): Promise<boolean>;
  /**
   * Re-encrypts every value under a new key in one transaction. With a key file, a new key is
   * generated (or `newKey` used) and the file replaced once the database has committed; with
   * `AGENTD_MASTER_KEY`, `newKey` is required and the caller sets the variable to it afterwards.
   */
  rotateKey(options?: { newKey?: Buffer }): Promise<{ reencrypted: number; keySource: MasterKey['source'] }>;
}

/** Options of {@link createSecretVault}. */
export interface SecretVaultOptions {
  store: SecretStore;
  keys: MasterKeySource;
  clock: Clock;
}

/** Checks a secret name; the error names the rule, so the CLI can show it as it is. */
export function assertSecretName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new AgentdError({
      code: 'vault.invalid_name',
      message: `secret name '${name.slice(0, 64)}' is invalid: use letters, digits and '_', starting with a letter or '_' (at most 128)`,
    });
  }
}

/** Creates the vault over a store; the master key is read when first needed, never kept in the store. */
export function createSecretVault(options: SecretVaultOptions): SecretVault {
  const { store, keys, clock } = options;
  const pendingFile = `${keys.keyFile}.next`;
  let recovered = false;

  /**
   * Finishes or undoes a key rotation a crash interrupted: the pending key file is the key when
   * the database already committed values under it, and garbage otherwise.
   */
  async function recoverRotation(): Promise<void> {
    if (recovered || keys.masterKey || !existsSync(pendingFile)) {
      recovered = true;
      return;
    }
    const pending = masterKeyOf(readKeyFile(pendingFile) as Buffer, 'file');
    const records = await store.all();
    if (records.length > 0 && records.every((r) => r.keyId === pending.id))
      renameSync(pendingFile, keys.keyFile);
    else rmSync(pendingFile, { force: true });
    recovered = true;
  }

  async function key(create: boolean): Promise<MasterKey | undefined> {
    await recoverRotation();
    return loadMasterKey(keys, { create });
  }

  function wrongKey(name: string, master: MasterKey, storedId: string): AgentdError {
    return new AgentdError({
      code: 'vault.wrong_key',
      message:
        `secret ${name} was stored under master key ${storedId}, but the ${master.source === 'env' ? 'AGENTD_MASTER_KEY' : `key file ${keys.keyFile}`} ` +
        `is key ${master.id}; restore the key it was stored with (see docs/security/vault.md)`,
    });
  }

  return {
    async set(name, value) {
      assertSecretName(name);
      if (value.length === 0 || Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
        throw new AgentdError({
          code: 'vault.invalid_value',
          message: `the value of secret ${name} must be 1 to ${MAX_SECRET_BYTES} bytes`,
        });
      }
      const master = (await key(true)) as MasterKey;
      const existing = await store.get(name);
      const now = clock.now();
      await store.put({
        name,
        ...sealSecret(master.key, name, value),
        keyId: master.id,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
      return { replaced: existing !== undefined };
    },

    async get(name) {
      const record = await store.get(name);
      if (record === undefined) return undefined;
      const master = await key(false);
      if (master === undefined) {
        throw new AgentdError({
          code: 'vault.no_key',
          message: `secret ${name} is stored, but there is no master key: set AGENTD_MASTER_KEY or restore ${keys.keyFile}`,
        });
      }
      if (record.keyId !== master.id) throw wrongKey(name, master, record.keyId);
      return openSecret(master.key, name, record);
    },

    list: () => store.list(),

    async remove(name) {
      assertSecretName(name);
      return store.remove(name);
    },

    async rotateKey(rotation = {}) {
      const current = await key(false);
      const records = await store.all();
      if (current === undefined && records.length > 0) {
        throw new AgentdError({
          code: 'vault.no_key',
          message: `there is no master key to decrypt the stored secrets with: set AGENTD_MASTER_KEY or restore ${keys.keyFile}`,
        });
      }
      if (current?.source === 'env' && rotation.newKey === undefined) {
        throw new AgentdError({
          code: 'vault.no_key',
          message:
            'the master key comes from AGENTD_MASTER_KEY, which agentd cannot change: pipe the new key in ' +
            '(openssl rand -base64 32 > new.key; agentd secrets rotate-key < new.key), then set AGENTD_MASTER_KEY to it',
        });
      }
      const next = masterKeyOf(rotation.newKey ?? generateMasterKey(), current?.source ?? 'file');
      // Decrypt everything first: one value that does not open stops the rotation before any change.
      const now = clock.now();
      const reencrypted = records.map((record) => {
        if (current === undefined || record.keyId !== current.id) {
          throw wrongKey(record.name, current as MasterKey, record.keyId);
        }
        const value = openSecret(current.key, record.name, record);
        return { ...record, ...sealSecret(next.key, record.name, value), keyId: next.id, updatedAt: now };
      });
      if (next.source === 'env') {
        await store.replaceAll(reencrypted);
        return { reencrypted: reencrypted.length, keySource: 'env' };
      }
      // The new key is on disk before the database commits to it, and replaces the old file only
      // after: a crash between the two is finished on the next open (see recoverRotation).
      writeKeyFile(pendingFile, next.key, { replace: true });
      try {
        await store.replaceAll(reencrypted);
      } catch (error) {
        rmSync(pendingFile, { force: true });
        throw error;
      }
      renameSync(pendingFile, keys.keyFile);
      return { reencrypted: reencrypted.length, keySource: 'file' };
    },
  };
}
