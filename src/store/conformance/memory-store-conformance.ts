import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryFilter, MemoryRecord, MemoryStore } from '../memory-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';
import { seededRandom as seeded } from '../../core/random.js';
import { cosine, memoryRecord as memory, randomVector } from './memory-fixtures.js';
import '../../memory/memory-error-codes.js';

/** A unit vector along `axis` of 8 dimensions, tilted slightly toward `toward` (for near neighbours). */
function vector(axis: number, toward?: number, tilt = 0.2): Float32Array {
  const v = new Float32Array(8);
  v[axis] = 1;
  if (toward !== undefined) v[toward] = tilt;
  return v;
}

/** The ids of the `limit` memories nearest to `vector` among those given, by brute force. */
function nearest(memories: readonly MemoryRecord[], vector: Float32Array, limit: number): string[] {
  return memories
    .map((m) => ({ id: m.id, score: cosine(vector, m.embedding as Float32Array) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((hit) => hit.id);
}

/** Registers the behaviour every MemoryStore must have; `open` must return a fresh, empty store. */
export function describeMemoryStoreConformance(name: string, open: OpenStore<MemoryStore>): void {
  describe(`MemoryStore conformance: ${name}`, () => {
    let store: MemoryStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

    it('round-trips every field', async () => {
      const full = memory({
        id: 'm1',
        layer: 'episodic',
        team: 'research',
        agent: 'writer',
        taskId: 'task_1',
        content: 'Caroline moved to Berlin in May 2023.',
        embedding: vector(0, 1),
        embeddingModel: 'use-lite/512',
        importance: 0.8,
        createdAt: 2_000,
        lastAccessedAt: 3_000,
        accessCount: 2,
        validFrom: 2_000,
        provenance: { taskId: 'task_1', step: '3', source: 'I moved to Berlin in May' },
        tags: ['location', 'caroline'],
      });
      await store.add(full);
      expect(await store.get('m1', 'acme')).toEqual(full);
      expect(await store.getMany(['missing', 'm1'], 'acme')).toEqual([full]);
    });

    it('refuses a taken id and an invalid memory, writing nothing', async () => {
      await store.add(memory({ id: 'm1' }));
      await expectAgentdError(store.add(memory({ id: 'm1', content: 'other' })), 'memory.exists');
      await expectAgentdError(store.add(memory({ id: 'm2', importance: 1.5 })), 'memory.invalid');
      await expectAgentdError(store.add(memory({ id: 'm3', content: '  ' })), 'memory.invalid');
      expect(await store.count({ tenant: 'acme' })).toBe(1);
    });

    it('never shows one tenant’s memories to another', async () => {
      await store.add(
        memory({ id: 'a1', tenant: 'acme', content: 'the launch date is Friday', embedding: vector(0) }),
      );
      await store.add(
        memory({ id: 'b1', tenant: 'beta', content: 'the launch date is Monday', embedding: vector(0) }),
      );
      expect(await store.get('a1', 'beta')).toBeNull();
      expect(await store.getMany(['a1', 'b1'], 'beta')).toHaveLength(1);
      expect(
        ids(await store.searchText({ text: 'launch date', filter: { tenant: 'beta' }, limit: 10 })),
      ).toEqual(['b1']);
      expect(
        ids(await store.searchVector({ vector: vector(0), filter: { tenant: 'beta' }, limit: 10 })),
      ).toEqual(['b1']);
      expect(await store.forget('a1', 'beta')).toBe(false);
      expect(await store.get('a1', 'acme')).not.toBeNull();
    });

    it('ranks full-text matches by BM25, stems words, and treats query syntax as words', async () => {
      await store.add(memory({ id: 'm1', content: 'Melanie runs a pottery class on Tuesdays' }));
      await store.add(memory({ id: 'm2', content: 'pottery pottery pottery: Melanie loves pottery' }));
      await store.add(memory({ id: 'm3', content: 'The weather was cold' }));
      const hits = await store.searchText({ text: 'pottery', filter: { tenant: 'acme' }, limit: 10 });
      expect(ids(hits)).toEqual(['m2', 'm1']);
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
      expect(ids(await store.searchText({ text: 'running', filter: { tenant: 'acme' }, limit: 10 }))).toEqual(
        ['m1'],
      );
      expect(
        await store.searchText({ text: '"NEAR( OR * -', filter: { tenant: 'acme' }, limit: 10 }),
      ).toEqual([]);
      expect(
        ids(await store.searchText({ text: 'cold" OR "x', filter: { tenant: 'acme' }, limit: 10 })),
      ).toEqual(['m3']);
    });

    it('finds nearest vectors by cosine similarity, best first, and ignores other dimensions', async () => {
      await store.add(memory({ id: 'near', embedding: vector(0, 1, 0.1) }));
      await store.add(memory({ id: 'far', embedding: vector(1) }));
      await store.add(memory({ id: 'mid', embedding: vector(0, 1, 0.9) }));
      await store.add(memory({ id: 'text-only' }));
      await store.add(memory({ id: 'other-size', embedding: new Float32Array([1, 0, 0]) }));
      const hits = await store.searchVector({ vector: vector(0), filter: { tenant: 'acme' }, limit: 10 });
      expect(ids(hits)).toEqual(['near', 'mid', 'far']);
      expect(hits[0]!.score).toBeCloseTo(1 / Math.sqrt(1.01), 5);
      expect(hits[2]!.score).toBeCloseTo(0, 5);
      expect(
        ids(await store.searchVector({ vector: vector(0), filter: { tenant: 'acme' }, limit: 1 })),
      ).toEqual(['near']);
    });

    it('applies layer, scope, tag, time and validity filters to both searches', async () => {
      const common = { content: 'project deadline', embedding: vector(2) };
      await store.add(memory({ id: 'sem', ...common }));
      await store.add(memory({ id: 'epi', ...common, layer: 'episodic', createdAt: 5_000 }));
      await store.add(memory({ id: 'team', ...common, team: 'research', agent: 'writer', taskId: 't1' }));
      await store.add(memory({ id: 'tagged', ...common, tags: ['deadline', 'q3'] }));
      await store.add(memory({ id: 'old', ...common, validTo: 4_000, supersededBy: 'sem' }));
      const both = async (filter: Parameters<MemoryStore['count']>[0]) => {
        const text = ids(await store.searchText({ text: 'deadline', filter, limit: 10 })).sort();
        const vec = ids(await store.searchVector({ vector: vector(2), filter, limit: 10 })).sort();
        expect(vec).toEqual(text);
        expect(await store.count(filter)).toBe(text.length);
        return text;
      };
      expect(await both({ tenant: 'acme' })).toEqual(['epi', 'sem', 'tagged', 'team']);
      expect(await both({ tenant: 'acme', includeSuperseded: true })).toContain('old');
      expect(await both({ tenant: 'acme', layers: ['episodic'] })).toEqual(['epi']);
      expect(await both({ tenant: 'acme', team: 'research', agent: 'writer', taskId: 't1' })).toEqual([
        'team',
      ]);
      expect(await both({ tenant: 'acme', team: null, layers: ['semantic'] })).toEqual(['sem', 'tagged']);
      expect(await both({ tenant: 'acme', tags: ['deadline', 'q3'] })).toEqual(['tagged']);
      expect(await both({ tenant: 'acme', tags: ['deadline', 'q4'] })).toEqual([]);
      expect(await both({ tenant: 'acme', createdAfter: 2_000 })).toEqual(['epi']);
      expect(await both({ tenant: 'acme', createdBefore: 2_000 })).toEqual(['sem', 'tagged', 'team']);
    });

    it('keeps both indexes in step with an update of content, embedding and layer', async () => {
      await store.add(memory({ id: 'm1', content: 'likes tea', embedding: vector(3) }));
      const updated = await store.update('m1', 'acme', {
        content: 'likes coffee now',
        embedding: vector(4),
        layer: 'episodic',
        importance: 0.9,
      });
      expect(updated).toMatchObject({ content: 'likes coffee now', layer: 'episodic', importance: 0.9 });
      expect(await store.searchText({ text: 'tea', filter: { tenant: 'acme' }, limit: 10 })).toEqual([]);
      expect(ids(await store.searchText({ text: 'coffee', filter: { tenant: 'acme' }, limit: 10 }))).toEqual([
        'm1',
      ]);
      const semantic = { tenant: 'acme', layers: ['semantic' as const] };
      expect(await store.searchVector({ vector: vector(4), filter: semantic, limit: 10 })).toEqual([]);
      const hits = await store.searchVector({
        vector: vector(4),
        filter: { tenant: 'acme', layers: ['episodic'] },
        limit: 10,
      });
      expect(ids(hits)).toEqual(['m1']);
      expect(hits[0]!.score).toBeCloseTo(1, 5);
      expect(await store.update('missing', 'acme', { importance: 0.1 })).toBeNull();
      await expectAgentdError(store.update('m1', 'acme', { importance: -1 }), 'memory.invalid');
    });

    it('forgets a memory from the table, the text index and the vector index', async () => {
      await store.add(memory({ id: 'm1', content: 'secret plan', embedding: vector(5) }));
      await store.add(memory({ id: 'm2', content: 'public plan', embedding: vector(5, 6) }));
      // Superseded by m2: only filters with includeSuperseded see it.
      await store.add(
        memory({
          id: 'm3',
          content: 'obsolete plan',
          embedding: vector(7),
          validTo: 2_000,
          supersededBy: 'm2',
        }),
      );
      // Another tenant's memory with the same words and vector.
      await store.add(memory({ id: 'b1', tenant: 'beta', content: 'secret plan', embedding: vector(5) }));
      const everything = { tenant: 'acme', includeSuperseded: true };
      // Before: each of them is found by its own word and its own embedding (so the checks bite).
      expect(ids(await store.searchText({ text: 'secret', filter: everything, limit: 10 }))).toEqual(['m1']);
      expect(ids(await store.searchText({ text: 'obsolete', filter: everything, limit: 10 }))).toEqual([
        'm3',
      ]);
      expect(ids(await store.searchVector({ vector: vector(7), filter: everything, limit: 1 }))).toEqual([
        'm3',
      ]);
      expect(await store.count(everything)).toBe(3);

      expect(await store.forget('m1', 'acme')).toBe(true);
      expect(await store.forget('m3', 'acme')).toBe(true);
      expect(await store.get('m1', 'acme')).toBeNull();
      expect(await store.get('m3', 'acme')).toBeNull();
      expect(await store.getMany(['m1', 'm2', 'm3'], 'acme')).toEqual([
        expect.objectContaining({ id: 'm2' }),
      ]);
      expect(await store.count({ tenant: 'acme' })).toBe(1);
      expect(await store.count(everything)).toBe(1);
      expect((await store.list({ filter: everything, limit: 10 })).map((m) => m.id)).toEqual(['m2']);
      expect(await store.stats('acme')).toMatchObject({
        layers: { working: 0, episodic: 0, semantic: 1, procedural: 0 },
        superseded: 0,
      });
      // Its own unique word and its own embedding, the queries that match it best, find nothing of it.
      for (const filter of [{ tenant: 'acme' }, everything]) {
        expect(await store.searchText({ text: 'secret', filter, limit: 10 })).toEqual([]);
        expect(await store.searchText({ text: 'obsolete', filter, limit: 10 })).toEqual([]);
        expect(ids(await store.searchText({ text: 'secret obsolete plan', filter, limit: 10 }))).toEqual([
          'm2',
        ]);
        for (const own of [vector(5), vector(7)]) {
          expect(ids(await store.searchVector({ vector: own, filter, limit: 10 }))).toEqual(['m2']);
        }
      }
      // The other tenant's memory of the same words and vector stays.
      expect(ids(await store.searchText({ text: 'secret', filter: { tenant: 'beta' }, limit: 10 }))).toEqual([
        'b1',
      ]);
      expect(
        ids(await store.searchVector({ vector: vector(5), filter: { tenant: 'beta' }, limit: 10 })),
      ).toEqual(['b1']);
      expect(await store.forget('m1', 'acme')).toBe(false);
    });

    it('makes what a forgotten memory superseded current again, in its tenant only', async () => {
      await store.add(memory({ id: 'old', content: 'deploys on Thursday' }));
      await store.add(memory({ id: 'other', tenant: 'beta', content: 'deploys on Friday' }));
      await store.add(memory({ id: 'new', content: 'deploys on Monday', validFrom: 5_000 }));
      await store.update('old', 'acme', { validTo: 5_000, supersededBy: 'new' });
      await store.update('other', 'beta', { validTo: 5_000, supersededBy: 'new' });
      expect(await store.count({ tenant: 'acme' })).toBe(1);

      expect(await store.forget('new', 'acme')).toBe(true);
      expect(await store.get('old', 'acme')).toMatchObject({ validTo: null, supersededBy: null });
      expect(await store.count({ tenant: 'acme' })).toBe(1);
      expect(ids(await store.searchText({ text: 'deploys', filter: { tenant: 'acme' }, limit: 5 }))).toEqual([
        'old',
      ]);
      expect(await store.get('other', 'beta')).toMatchObject({ validTo: 5_000, supersededBy: 'new' });
    });

    it('keeps a chain of supersessions whole when a fact in the middle is forgotten', async () => {
      await store.add(memory({ id: 'a', content: 'deploys on Thursday' }));
      await store.add(memory({ id: 'b', content: 'deploys on Monday', validFrom: 5_000 }));
      await store.add(memory({ id: 'c', content: 'deploys on Friday', validFrom: 7_000 }));
      await store.update('a', 'acme', { validTo: 5_000, supersededBy: 'b' });
      await store.update('b', 'acme', { validTo: 7_000, supersededBy: 'c' });

      expect(await store.forget('b', 'acme')).toBe(true);
      // a now ends where b ended, superseded by c; c stays the one current fact.
      expect(await store.get('a', 'acme')).toMatchObject({ validTo: 7_000, supersededBy: 'c' });
      expect((await store.list({ filter: { tenant: 'acme' }, limit: 5 })).map((m) => m.id)).toEqual(['c']);
      expect(await store.forget('c', 'acme')).toBe(true);
      expect(await store.get('a', 'acme')).toMatchObject({ validTo: null, supersededBy: null });
    });

    it('applies adds, updates and forgets together, or none of them', async () => {
      await store.add(memory({ id: 'keep', content: 'first note', embedding: vector(1) }));
      await store.add(memory({ id: 'drop', content: 'second note', embedding: vector(2) }));
      const updated = await store.apply('acme', {
        add: [memory({ id: 'summary', content: 'both notes', embedding: vector(3) })],
        update: [
          { id: 'keep', patch: { importance: 0.9 } },
          { id: 'missing', patch: { importance: 0.9 } },
        ],
        forget: ['drop'],
      });
      expect(updated.map((record) => record?.importance ?? null)).toEqual([0.9, null]);
      expect((await store.list({ filter: { tenant: 'acme' }, limit: 10 })).map((m) => m.id).sort()).toEqual([
        'keep',
        'summary',
      ]);
      expect(
        ids(await store.searchVector({ vector: vector(2), filter: { tenant: 'acme' }, limit: 1 })),
      ).not.toEqual(['drop']);

      // An invalid change (here an update out of range) undoes the whole batch.
      await expectAgentdError(
        store.apply('acme', {
          add: [memory({ id: 'late', content: 'third note', embedding: vector(4) })],
          update: [{ id: 'keep', patch: { importance: 2 } }],
          forget: ['summary'],
        }),
        'memory.invalid',
      );
      expect(await store.get('late', 'acme')).toBeNull();
      expect(await store.get('summary', 'acme')).not.toBeNull();
      expect((await store.get('keep', 'acme'))?.importance).toBe(0.9);
      expect(
        ids(await store.searchVector({ vector: vector(4), filter: { tenant: 'acme' }, limit: 1 })),
      ).not.toEqual(['late']);
      // A record of another tenant is refused before anything is written.
      await expectAgentdError(
        store.apply('acme', { add: [memory({ id: 'stray', tenant: 'beta', content: 'stray note' })] }),
        'memory.invalid',
      );
      expect(await store.get('stray', 'beta')).toBeNull();
    });

    it('adds memories of several tenants together, or none of them', async () => {
      await store.add(memory({ id: 'taken', content: 'an older note' }));
      await store.addMany([
        memory({ id: 'n1', content: 'the harbor opens at dawn', embedding: vector(1) }),
        memory({ id: 'n2', tenant: 'beta', content: 'the harbor closes at dusk', embedding: vector(1) }),
        memory({ id: 'n3', layer: 'episodic', content: 'a quarry report' }),
      ]);
      expect(ids(await store.searchText({ text: 'harbor', filter: { tenant: 'acme' }, limit: 5 }))).toEqual([
        'n1',
      ]);
      expect(ids(await store.searchText({ text: 'harbor', filter: { tenant: 'beta' }, limit: 5 }))).toEqual([
        'n2',
      ]);
      expect(
        ids(await store.searchVector({ vector: vector(1), filter: { tenant: 'beta' }, limit: 5 })),
      ).toEqual(['n2']);
      expect((await store.get('n3', 'acme'))?.layer).toBe('episodic');

      // A taken id, or an invalid record, anywhere in the batch: nothing of it is written.
      await expectAgentdError(
        store.addMany([
          memory({ id: 'n4', content: 'the lighthouse is red', embedding: vector(2) }),
          memory({ id: 'taken', tenant: 'beta', content: 'a different note' }),
        ]),
        'memory.exists',
      );
      await expectAgentdError(
        store.addMany([
          memory({ id: 'n5', content: 'the lighthouse is blue' }),
          memory({ id: 'n6', importance: 2 }),
        ]),
        'memory.invalid',
      );
      for (const id of ['n4', 'n5', 'n6']) expect(await store.get(id, 'acme')).toBeNull();
      expect(await store.searchText({ text: 'lighthouse', filter: { tenant: 'acme' }, limit: 5 })).toEqual(
        [],
      );
      expect(
        ids(await store.searchVector({ vector: vector(2), filter: { tenant: 'acme' }, limit: 1 })),
      ).not.toEqual(['n4']);
      await store.addMany([]);
      expect(await store.count({ tenant: 'acme' })).toBe(3);
    });

    it('counts each recall on touch', async () => {
      await store.add(memory({ id: 'm1' }));
      await store.touch(['m1', 'missing'], 'acme', 9_000);
      await store.touch(['m1'], 'acme', 9_500);
      expect(await store.get('m1', 'acme')).toMatchObject({ accessCount: 2, lastAccessedAt: 9_500 });
    });

    it('lists memories in id order, a page at a time, within the filter', async () => {
      for (const id of ['m3', 'm1', 'm2', 'm4'])
        await store.add(memory({ id, layer: id === 'm4' ? 'working' : 'semantic' }));
      await store.add(memory({ id: 'm0', tenant: 'beta' }));
      const page = await store.list({ filter: { tenant: 'acme', layers: ['semantic'] }, limit: 2 });
      expect(page.map((m) => m.id)).toEqual(['m1', 'm2']);
      const next = await store.list({
        filter: { tenant: 'acme', layers: ['semantic'] },
        limit: 2,
        after: 'm2',
      });
      expect(next.map((m) => m.id)).toEqual(['m3']);
      expect(await store.tenants()).toEqual(['acme', 'beta']);
    });

    it('lists memories awaiting their vector, oldest first, in every tenant, until they get one', async () => {
      const model = 'use-lite/en-512';
      await store.add(memory({ id: 'm1', createdAt: 3_000, embeddingModel: model }));
      await store.add(memory({ id: 'm2', createdAt: 1_000, tenant: 'beta', embeddingModel: model }));
      await store.add(memory({ id: 'm3', createdAt: 2_000, embeddingModel: model, embedding: vector(1) }));
      // No model named: text-only memory, not waiting for anything.
      await store.add(memory({ id: 'm4', createdAt: 500 }));
      expect(await store.awaitingVectors(10)).toEqual([
        { id: 'm2', tenant: 'beta', content: expect.any(String), embeddingModel: model },
        { id: 'm1', tenant: 'acme', content: expect.any(String), embeddingModel: model },
      ]);
      expect((await store.awaitingVectors(1)).map((m) => m.id)).toEqual(['m2']);
      // Counted as having no vector yet.
      expect((await store.stats('acme')).embeddingModels).toEqual({ [model]: 1, none: 2 });
      await store.update('m2', 'beta', { embedding: vector(2), embeddingModel: model });
      expect((await store.awaitingVectors(10)).map((m) => m.id)).toEqual(['m1']);
      expect(
        ids(await store.searchVector({ vector: vector(2), filter: { tenant: 'beta' }, limit: 1 })),
      ).toEqual(['m2']);
    });

    it('reports counts per layer, superseded memories and embedding models', async () => {
      await store.add(memory({ id: 'm1', embedding: vector(1), embeddingModel: 'use-lite/en-512' }));
      await store.add(memory({ id: 'm2', layer: 'episodic' }));
      await store.add(memory({ id: 'm3', validTo: 2_000, supersededBy: 'm1' }));
      await store.add(memory({ id: 'm4', tenant: 'beta' }));
      expect(await store.stats('acme')).toEqual({
        layers: { working: 0, episodic: 1, semantic: 1, procedural: 0 },
        superseded: 1,
        embeddingModels: { 'use-lite/en-512': 1, none: 2 },
      });
    });

    it('returns the true nearest neighbour first for a planted vector among many random ones', async () => {
      const random = seeded(7);
      for (let i = 0; i < 2_000; i++)
        await store.add(memory({ id: `r${i}`, embedding: randomVector(random, 64) }));
      const target = randomVector(random, 64);
      const planted = target.map((x) => x + (random() - 0.5) * 0.2);
      await store.add(memory({ id: 'planted', embedding: planted }));
      const hits = await store.searchVector({ vector: target, filter: { tenant: 'acme' }, limit: 5 });
      expect(hits[0]?.id).toBe('planted');
      expect(hits[0]!.score).toBeCloseTo(cosine(target, planted), 5);
      expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
    });

    it('returns the same nearest neighbours as a brute-force scan, within each filter', async () => {
      const random = seeded(11);
      const all: MemoryRecord[] = [];
      for (let i = 0; i < 1_200; i++) {
        const m = memory({
          id: `m${i}`,
          layer: i % 2 === 0 ? 'semantic' : 'episodic',
          team: ['red', 'green', 'blue'][i % 3] as string,
          embedding: randomVector(random, 32),
        });
        all.push(m);
        await store.add(m);
      }
      const filters: [MemoryFilter, (m: MemoryRecord) => boolean][] = [
        [{ tenant: 'acme' }, () => true],
        [{ tenant: 'acme', layers: ['episodic'] }, (m) => m.layer === 'episodic'],
        [
          { tenant: 'acme', layers: ['semantic'], team: 'green' },
          (m) => m.layer === 'semantic' && m.team === 'green',
        ],
      ];
      for (const [filter, matches] of filters) {
        for (let q = 0; q < 5; q++) {
          const vector = randomVector(random, 32);
          expect(ids(await store.searchVector({ vector, filter, limit: 10 }))).toEqual(
            nearest(all.filter(matches), vector, 10),
          );
        }
      }
    });

    it('finds the nearest neighbours within a filter that few memories pass', async () => {
      const random = seeded(23);
      const rare: MemoryRecord[] = [];
      for (let i = 0; i < 1_000; i++) {
        const m = memory({
          id: `m${i}`,
          agent: i % 167 === 0 ? 'rare' : 'common',
          embedding: randomVector(random, 32),
        });
        if (m.agent === 'rare') rare.push(m);
        await store.add(m);
      }
      const vector = randomVector(random, 32);
      expect(
        ids(await store.searchVector({ vector, filter: { tenant: 'acme', agent: 'rare' }, limit: 10 })),
      ).toEqual(nearest(rare, vector, 10));
    });

    it('finds the memories of a filter even when they are the farthest from the query', async () => {
      const random = seeded(31);
      const query = randomVector(random, 32);
      const near = () => query.map((x) => x + (random() - 0.5) * 0.5);
      for (let i = 0; i < 1_500; i++)
        await store.add(memory({ id: `near${i}`, agent: 'common', embedding: near() }));
      const far: MemoryRecord[] = [];
      for (let i = 0; i < 3; i++) {
        const m = memory({
          id: `far${i}`,
          agent: 'rare',
          embedding: query.map((x) => -x + (random() - 0.5)),
        });
        far.push(m);
        await store.add(m);
      }
      expect(
        ids(
          await store.searchVector({ vector: query, filter: { tenant: 'acme', agent: 'rare' }, limit: 10 }),
        ),
      ).toEqual(nearest(far, query, 10));
    });

    it('keeps the vector index right through many forgets, layer moves and new embeddings', async () => {
      const random = seeded(5);
      const live = new Map<string, MemoryRecord>();
      for (let i = 0; i < 150; i++) {
        const m = memory({ id: `m${i}`, embedding: randomVector(random, 16) });
        await store.add(m);
        live.set(m.id, m);
      }
      for (let i = 0; i < 150; i += 3) {
        expect(await store.forget(`m${i}`, 'acme')).toBe(true);
        live.delete(`m${i}`);
      }
      for (let i = 1; i < 150; i += 4) {
        const patch = i % 8 === 1 ? { layer: 'episodic' as const } : { embedding: randomVector(random, 16) };
        if (live.has(`m${i}`))
          live.set(`m${i}`, (await store.update(`m${i}`, 'acme', patch)) as MemoryRecord);
      }
      for (const m of live.values()) {
        const hits = await store.searchVector({
          vector: m.embedding as Float32Array,
          filter: { tenant: 'acme', layers: [m.layer] },
          limit: 1,
        });
        expect(ids(hits)).toEqual([m.id]);
        expect(hits[0]!.score).toBeCloseTo(1, 5);
      }
      const everything = await store.searchVector({
        vector: randomVector(random, 16),
        filter: { tenant: 'acme' },
        limit: 1_000,
      });
      expect(ids(everything).sort()).toEqual([...live.keys()].sort());
    });

    it('ranks a rare word above words in most memories, and still finds memories with only those', async () => {
      for (let i = 0; i < 8; i++)
        await store.add(memory({ id: `c${i}`, content: `the meeting notes of week ${i}` }));
      await store.add(memory({ id: 'rare', content: 'the zeppelin lands on Tuesday' }));
      const filter = { tenant: 'acme' };
      const hits = await store.searchText({ text: 'what about the zeppelin meeting', filter, limit: 5 });
      expect(hits[0]?.id).toBe('rare');
      expect(hits).toHaveLength(5);
      // Nothing but words in most memories: they are searched for.
      expect(await store.searchText({ text: 'the of', filter, limit: 20 })).toHaveLength(9);
      // Only the common word matches anything.
      expect(ids(await store.searchText({ text: 'meeting unicorn', filter, limit: 20 })).sort()).toEqual([
        'c0',
        'c1',
        'c2',
        'c3',
        'c4',
        'c5',
        'c6',
        'c7',
      ]);
    });
  });
}
