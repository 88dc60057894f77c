import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../security/index.js';
import { expectAgentdError } from '../store/conformance/expect-agentd-error.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { ApiKeyStore } from '../store/api-key-store.js';
import { createApiKeyService } from './api-key-service.js';
import '../security/security-error-codes.js';

function setUp(flushIntervalMs = 60_000) {
  const stores = openSqliteStores({ path: ':memory:' });
  let now = 1_000_000;
  const touches: { id: string; at: number }[][] = [];
  const store: ApiKeyStore = {
    ...stores.apiKeys,
    create: (key) => stores.apiKeys.create(key),
    findByHash: (hash) => stores.apiKeys.findByHash(hash),
    get: (id) => stores.apiKeys.get(id),
    list: (query) => stores.apiKeys.list(query),
    revoke: (id, at) => stores.apiKeys.revoke(id, at),
    touch(uses) {
      touches.push([...uses]);
      return stores.apiKeys.touch(uses);
    },
  };
  const service = createApiKeyService({
    store,
    audit: stores.audit,
    clock: { now: () => now },
    flushIntervalMs,
  });
  return { service, stores, touches, advance: (ms: number) => void (now += ms) };
}

describe('the API key service', () => {
  it('stores only the hash and prefix, and authenticates the key as its role, tenant and id', async () => {
    const { service, stores } = setUp();
    const { key, record } = await service.create({ name: 'ci', role: 'operator', tenant: 'acme' });
    const stored = await stores.apiKeys.get(record.id);
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(key.slice(13));
    expect(key.startsWith(record.prefix)).toBe(true);
    const actor = await service.authenticate(key);
    expect(actor).toMatchObject({ id: 'key:ci', tenant: 'acme', keyId: record.id });
    expect(actor?.permissions.has('tasks.write')).toBe(true);
    expect(actor?.permissions.has('audit.read')).toBe(false);
    expect(await service.authenticate(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeNull();
    const events = await stores.audit.list({ limit: 10 });
    expect(events.map((e) => [e.action, e.target, e.tenant])).toEqual([['key.create', record.id, 'acme']]);
    expect(JSON.stringify(events)).not.toContain(key.slice(13));
  });

  it('writes last use in one batch per interval, not once per request', async () => {
    const { service, stores, touches, advance } = setUp(60_000);
    const a = await service.create({ name: 'a', role: 'viewer' });
    const b = await service.create({ name: 'b', role: 'viewer' });
    for (let i = 0; i < 100; i++) {
      await service.authenticate(a.key);
      await service.authenticate(b.key);
      advance(100);
    }
    // 10 s of traffic: nothing written yet.
    expect(touches).toEqual([]);
    advance(50_000);
    await service.authenticate(a.key);
    expect(touches).toHaveLength(1);
    expect(touches[0]?.map((use) => use.id).sort()).toEqual([a.record.id, b.record.id].sort());
    expect((await stores.apiKeys.get(a.record.id))?.lastUsedAt).toBe(1_000_000 + 60_000);
    // The rest waits for the next interval, or for flush() (the server's shutdown).
    advance(10);
    await service.authenticate(b.key);
    expect(touches).toHaveLength(1);
    await service.flush();
    expect(touches).toHaveLength(2);
    expect((await stores.apiKeys.get(b.record.id))?.lastUsedAt).toBe(1_000_000 + 60_010);
  });

  it('revokes by name or id, once, and refuses bad names and lifetimes', async () => {
    const { service } = setUp();
    const { key, record } = await service.create({ name: 'ci', role: 'viewer' });
    expect((await service.revoke('ci')).revokedAt).not.toBeNull();
    expect(await service.authenticate(key)).toBeNull();
    await expectAgentdError(service.revoke(record.id), 'key.not_found');
    await expectAgentdError(service.revoke('nobody'), 'key.not_found');
    await expectAgentdError(service.create({ name: 'has space', role: 'viewer' }), 'key.invalid');
    await expectAgentdError(service.create({ name: 'x', role: 'viewer', expiresInMs: 0 }), 'key.invalid');
    // The name of a revoked key is free again.
    await service.create({ name: 'ci', role: 'viewer' });
  });

  it('fails closed on an expired key and on a role this agentd does not know', async () => {
    const { service, stores, advance } = setUp();
    const brief = await service.create({ name: 'brief', role: 'admin', expiresInMs: 1_000 });
    expect(await service.authenticate(brief.key)).not.toBeNull();
    advance(1_000);
    expect(await service.authenticate(brief.key)).toBeNull();
    const future = `agd_0123abcd_${'f'.repeat(43)}`;
    await stores.apiKeys.create({
      ...brief.record,
      id: 'key_future',
      name: 'future',
      hash: hashApiKey(future),
      role: 'superuser',
      expiresAt: null,
    });
    expect(await service.authenticate(future)).toBeNull();
  });
});
