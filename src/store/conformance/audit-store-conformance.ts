import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent, AuditStore } from '../audit-store.js';
import type { OpenStore } from './open-store.js';

function event(id: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    at: 1_000,
    actor: 'cli',
    action: 'memory.add',
    target: `mem_${id}`,
    tenant: 'acme',
    details: { layer: 'semantic' },
    ...overrides,
  };
}

/** Registers the behaviour every AuditStore must have; `open` must return a fresh, empty store. */
export function describeAuditStoreConformance(name: string, open: OpenStore<AuditStore>): void {
  describe(`AuditStore conformance: ${name}`, () => {
    let store: AuditStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('round-trips events and lists them newest first, paged by id', async () => {
      await store.append(event('a1'));
      await store.append(event('a2', { action: 'memory.forget', details: { reason: null } }));
      await store.append(event('a3', { tenant: null }));
      const all = await store.list({ limit: 10 });
      expect(all.map((e) => e.id)).toEqual(['a3', 'a2', 'a1']);
      expect(all[1]).toEqual(event('a2', { action: 'memory.forget', details: { reason: null } }));
      expect((await store.list({ limit: 10, before: 'a3' })).map((e) => e.id)).toEqual(['a2', 'a1']);
      expect((await store.list({ limit: 1 })).map((e) => e.id)).toEqual(['a3']);
    });

    it('filters by action and target', async () => {
      await store.append(event('a1'));
      await store.append(event('a2', { action: 'memory.forget', target: 'mem_a1' }));
      expect((await store.list({ limit: 10, action: 'memory.forget' })).map((e) => e.id)).toEqual(['a2']);
      expect((await store.list({ limit: 10, target: 'mem_a1' })).map((e) => e.id)).toEqual(['a2', 'a1']);
    });

    it('filters by tenant exactly, newest first, paged by id and combined with the other filters', async () => {
      await store.append(event('a1', { tenant: 'acme' }));
      await store.append(event('a2', { tenant: 'globex' }));
      await store.append(event('a3', { tenant: null }));
      await store.append(event('a4', { tenant: 'acme', action: 'memory.forget' }));
      await store.append(event('a5', { tenant: 'globex' }));
      await store.append(event('a6', { tenant: 'acme' }));
      const ids = async (query: Parameters<AuditStore['list']>[0]) =>
        (await store.list(query)).map((e) => e.id);

      const acme = await store.list({ limit: 10, tenant: 'acme' });
      expect(acme.map((e) => e.id)).toEqual(['a6', 'a4', 'a1']);
      expect(acme[1]).toEqual(event('a4', { tenant: 'acme', action: 'memory.forget' }));
      expect(await ids({ limit: 10, tenant: 'globex' })).toEqual(['a5', 'a2']);
      // An exact match: no prefix or case folding, and events without a tenant never match.
      expect(await ids({ limit: 10, tenant: 'acm' })).toEqual([]);
      expect(await ids({ limit: 10, tenant: 'ACME' })).toEqual([]);
      // Without a tenant filter every event is listed, those without a tenant too.
      expect(await ids({ limit: 10 })).toEqual(['a6', 'a5', 'a4', 'a3', 'a2', 'a1']);

      // Paging: `before` is the last id of the previous page; the tenant filter holds on each page.
      const first = await ids({ limit: 2, tenant: 'acme' });
      expect(first).toEqual(['a6', 'a4']);
      expect(await ids({ limit: 2, tenant: 'acme', before: first.at(-1) ?? '' })).toEqual(['a1']);
      expect(await ids({ limit: 2, tenant: 'acme', before: 'a1' })).toEqual([]);
      expect(await ids({ limit: 10, tenant: 'globex', before: 'a5' })).toEqual(['a2']);

      expect(await ids({ limit: 10, tenant: 'acme', action: 'memory.forget' })).toEqual(['a4']);
      expect(await ids({ limit: 10, tenant: 'globex', action: 'memory.forget' })).toEqual([]);
      expect(await ids({ limit: 10, tenant: 'globex', target: 'mem_a2' })).toEqual(['a2']);
      expect(await ids({ limit: 10, tenant: 'acme', target: 'mem_a2' })).toEqual([]);
    });
  });
}
