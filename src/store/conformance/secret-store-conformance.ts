import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecretRecord, SecretStore } from '../secret-store.js';
import '../store-error-codes.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';

function secret(name: string, overrides: Partial<SecretRecord> = {}): SecretRecord {
  return {
    name,
    ciphertext: Buffer.from(`cipher-${name}`),
    nonce: Buffer.alloc(12, 1),
    keyId: 'k1',
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

/** Registers the behaviour every SecretStore must have; `open` must return a fresh, empty store. */
export function describeSecretStoreConformance(name: string, open: OpenStore<SecretStore>): void {
  describe(`SecretStore conformance: ${name}`, () => {
    let store: SecretStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('round-trips a record, bytes included', async () => {
      await store.put(secret('API_KEY'));
      expect(await store.get('API_KEY')).toEqual(secret('API_KEY'));
      expect(await store.get('OTHER')).toBeUndefined();
    });

    it('replaces a value but keeps when it was first set', async () => {
      await store.put(secret('API_KEY'));
      await store.put(
        secret('API_KEY', { ciphertext: Buffer.from('new'), createdAt: 5_000, updatedAt: 5_000 }),
      );
      const stored = await store.get('API_KEY');
      expect(stored?.ciphertext.toString()).toBe('new');
      expect(stored).toMatchObject({ createdAt: 1_000, updatedAt: 5_000 });
    });

    it('lists names and dates only, ordered by name', async () => {
      await store.put(secret('B'));
      await store.put(secret('A', { updatedAt: 2_000 }));
      const listed = await store.list();
      expect(listed).toEqual([
        { name: 'A', createdAt: 1_000, updatedAt: 2_000 },
        { name: 'B', createdAt: 1_000, updatedAt: 1_000 },
      ]);
      expect((await store.all()).map((r) => r.name)).toEqual(['A', 'B']);
    });

    it('removes a secret and says whether there was one', async () => {
      await store.put(secret('A'));
      expect(await store.remove('A')).toBe(true);
      expect(await store.remove('A')).toBe(false);
      expect(await store.list()).toEqual([]);
    });

    it('replaces every record at once under a new key', async () => {
      await store.put(secret('A'));
      await store.put(secret('B'));
      await store.replaceAll([
        secret('A', { ciphertext: Buffer.from('a2'), keyId: 'k2', updatedAt: 3_000 }),
        secret('B', { ciphertext: Buffer.from('b2'), keyId: 'k2', updatedAt: 3_000 }),
      ]);
      const all = await store.all();
      expect(all.map((r) => [r.name, r.keyId, r.ciphertext.toString(), r.createdAt])).toEqual([
        ['A', 'k2', 'a2', 1_000],
        ['B', 'k2', 'b2', 1_000],
      ]);
    });

    it('changes nothing when the replacement misses a stored secret', async () => {
      await store.put(secret('A'));
      await store.put(secret('B'));
      await expectAgentdError(store.replaceAll([secret('A', { keyId: 'k2' })]), 'store.conflict');
      expect((await store.all()).map((r) => r.keyId)).toEqual(['k1', 'k1']);
    });

    it('changes nothing when the replacement names a secret that is not stored', async () => {
      await store.put(secret('A'));
      await expectAgentdError(
        store.replaceAll([secret('A', { keyId: 'k2' }), secret('GHOST', { keyId: 'k2' })]),
        'store.conflict',
      );
      expect((await store.all()).map((r) => r.keyId)).toEqual(['k1']);
    });
  });
}
