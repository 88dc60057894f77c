import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { McpPinStore, McpToolPin } from '../mcp-pin-store.js';
import type { OpenStore } from './open-store.js';

function pin(tool: string, overrides: Partial<McpToolPin> = {}): McpToolPin {
  return {
    server: 'files',
    tool,
    hash: 'a'.repeat(64),
    approvedAt: 1_000,
    approvedBy: 'first-use',
    ...overrides,
  };
}

/** Registers the behaviour every McpPinStore must have; `open` must return a fresh, empty store. */
export function describeMcpPinStoreConformance(name: string, open: OpenStore<McpPinStore>): void {
  describe(`McpPinStore conformance: ${name}`, () => {
    let store: McpPinStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('pins a tool once: a second first use keeps the first pin', async () => {
      expect(await store.get('files', 'read')).toBeUndefined();
      expect(await store.pinIfAbsent(pin('read'))).toEqual(pin('read'));
      const second = await store.pinIfAbsent(pin('read', { hash: 'b'.repeat(64), approvedAt: 2_000 }));
      expect(second).toEqual(pin('read'));
      expect(await store.get('files', 'read')).toEqual(pin('read'));
    });

    it('replaces a pin on approval, and keeps servers apart', async () => {
      await store.pinIfAbsent(pin('read'));
      await store.pinIfAbsent(pin('read', { server: 'other' }));
      await store.put(pin('read', { hash: 'c'.repeat(64), approvedAt: 3_000, approvedBy: 'cli' }));
      expect(await store.get('files', 'read')).toEqual(
        pin('read', { hash: 'c'.repeat(64), approvedAt: 3_000, approvedBy: 'cli' }),
      );
      expect(await store.get('other', 'read')).toEqual(pin('read', { server: 'other' }));
    });

    it('lists pins ordered by server then tool', async () => {
      await store.put(pin('write', { server: 'b' }));
      await store.put(pin('read', { server: 'b' }));
      await store.put(pin('zeta', { server: 'a' }));
      expect((await store.list()).map((p) => `${p.server}/${p.tool}`)).toEqual([
        'a/zeta',
        'b/read',
        'b/write',
      ]);
    });
  });
}
