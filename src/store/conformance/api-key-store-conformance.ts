import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyRecord, ApiKeyStore } from '../api-key-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';
import '../store-error-codes.js';

function key(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    name: `name-${id}`,
    prefix: `agd_${id.padEnd(8, '0').slice(0, 8)}`,
    hash: `hash-${id}`,
    role: 'viewer',
    tenant: null,
    createdAt: 1_000,
    createdBy: 'cli',
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

/** Registers the behaviour every ApiKeyStore must have; `open` must return a fresh, empty store. */
export function describeApiKeyStoreConformance(name: string, open: OpenStore<ApiKeyStore>): void {
  describe(`ApiKeyStore conformance: ${name}`, () => {
    let store: ApiKeyStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('round-trips a key and finds it by hash and by id', async () => {
      const record = key('k1', { tenant: 'acme', role: 'operator', expiresAt: 9_000 });
      await store.create(record);
      expect(await store.findByHash('hash-k1')).toEqual(record);
      expect(await store.get('k1')).toEqual(record);
      expect(await store.findByHash('hash-none')).toBeNull();
      expect(await store.get('none')).toBeNull();
    });

    it('lists newest first and leaves revoked keys out unless asked', async () => {
      await store.create(key('k1', { createdAt: 1 }));
      await store.create(key('k2', { createdAt: 2 }));
      await store.create(key('k3', { createdAt: 3 }));
      expect(await store.revoke('k2', 50)).toBe(true);
      expect((await store.list()).map((k) => k.id)).toEqual(['k3', 'k1']);
      const all = await store.list({ includeRevoked: true });
      expect(all.map((k) => k.id)).toEqual(['k3', 'k2', 'k1']);
      expect(all[1]?.revokedAt).toBe(50);
    });

    it('revokes once: a second revoke or an unknown id reports false', async () => {
      await store.create(key('k1'));
      expect(await store.revoke('k1', 10)).toBe(true);
      expect(await store.revoke('k1', 20)).toBe(false);
      expect(await store.revoke('none', 20)).toBe(false);
      expect((await store.get('k1'))?.revokedAt).toBe(10);
    });

    it('refuses a second key with the same id, hash, or the name of a key in force', async () => {
      await store.create(key('k1'));
      await expectAgentdError(store.create(key('k1', { name: 'other', hash: 'other' })), 'store.conflict');
      await expectAgentdError(store.create(key('k2', { hash: 'hash-k1', name: 'other' })), 'store.conflict');
      await expectAgentdError(store.create(key('k2', { name: 'name-k1' })), 'store.conflict');
      // A revoked key's name is free again.
      await store.revoke('k1', 5);
      await store.create(key('k2', { name: 'name-k1' }));
      expect((await store.list()).map((k) => k.id)).toEqual(['k2']);
    });

    it('records last use in batches and never moves it backwards', async () => {
      await store.create(key('k1'));
      await store.create(key('k2'));
      await store.touch([
        { id: 'k1', at: 100 },
        { id: 'k2', at: 200 },
        { id: 'unknown', at: 300 },
      ]);
      await store.touch([{ id: 'k1', at: 50 }]);
      await store.touch([]);
      expect((await store.get('k1'))?.lastUsedAt).toBe(100);
      expect((await store.get('k2'))?.lastUsedAt).toBe(200);
    });
  });
}
