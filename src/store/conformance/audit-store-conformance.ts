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
  });
}
