import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Json } from '../../core/json.js';
import type { ReviewAnswer, ReviewRecord, ReviewStore } from '../review-store.js';
import type { OpenStore } from './open-store.js';

/** A pending review with every field set to something unremarkable; tests override what they check. */
function reviewRecord(overrides: Partial<ReviewRecord> & { id: string }): ReviewRecord {
  return {
    taskId: 'task_a',
    stepKey: `step of ${overrides.id}`,
    kind: 'tool-approval',
    question: `question of ${overrides.id}`,
    payload: { tool: 'shell', args: { command: 'ls' } },
    status: 'pending',
    answer: null,
    createdAt: 1_000,
    answeredAt: null,
    ...overrides,
  };
}

const approve: ReviewAnswer = { decision: 'approve', note: null, payload: null };

/** Registers the behaviour every ReviewStore must have; `open` must return a fresh, empty store. */
export function describeReviewStoreConformance(name: string, open: OpenStore<ReviewStore>): void {
  describe(`ReviewStore conformance: ${name}`, () => {
    let store: ReviewStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    async function openAll(reviews: ReviewRecord[]): Promise<void> {
      for (const review of reviews) await store.open(review);
    }

    async function listIds(query: Parameters<ReviewStore['list']>[0]): Promise<string[]> {
      return (await store.list(query)).map((review) => review.id);
    }

    describe('open and get', () => {
      it('returns the stored review, readable by id and by step', async () => {
        const review = reviewRecord({
          id: 'review_a',
          taskId: 'task_a',
          stepKey: '2.1/4',
          kind: 'quality-escalation',
          question: 'Accept the draft?',
          payload: { draft: 'text', scores: [0.5, 0.25], meta: { round: 3, final: null } },
          createdAt: 1_700_000_000_123,
        });
        expect(await store.open(review)).toEqual(review);
        expect(await store.get('review_a')).toEqual(review);
        expect(await store.getByStep('task_a', '2.1/4')).toEqual(review);
      });

      it('keeps the first review when the same step opens another one, e.g. after a crash', async () => {
        const first = reviewRecord({ id: 'review_1', taskId: 'task_a', stepKey: '3', question: 'first' });
        await store.open(first);
        const second = reviewRecord({
          id: 'review_2',
          taskId: 'task_a',
          stepKey: '3',
          kind: 'quality-escalation',
          question: 'second',
          payload: 'other',
          createdAt: 9_000,
        });
        expect(await store.open(second)).toEqual(first);
        expect(await store.get('review_1')).toEqual(first);
        expect(await store.get('review_2')).toBeNull();
        expect(await store.getByStep('task_a', '3')).toEqual(first);
        expect(await listIds({ limit: 10 })).toEqual(['review_1']);
      });

      it('returns the first review, answer included, when its step opens it again after the answer', async () => {
        await store.open(reviewRecord({ id: 'review_1', taskId: 'task_a', stepKey: '3' }));
        const answered = await store.answer('review_1', approve, 5_000);
        expect(await store.open(reviewRecord({ id: 'review_2', taskId: 'task_a', stepKey: '3' }))).toEqual(
          answered,
        );
      });

      it('keeps reviews of the same step key in different tasks, and of different keys in one task, apart', async () => {
        await openAll([
          reviewRecord({ id: 'review_a1', taskId: 'task_a', stepKey: '1' }),
          reviewRecord({ id: 'review_b1', taskId: 'task_b', stepKey: '1' }),
          reviewRecord({ id: 'review_a2', taskId: 'task_a', stepKey: '2.0/1' }),
          reviewRecord({ id: 'review_a3', taskId: 'task_a', stepKey: 'dag:a/1' }),
        ]);
        expect((await store.getByStep('task_a', '1'))?.id).toBe('review_a1');
        expect((await store.getByStep('task_b', '1'))?.id).toBe('review_b1');
        expect((await store.getByStep('task_a', '2.0/1'))?.id).toBe('review_a2');
        expect((await store.getByStep('task_a', 'dag:a/1'))?.id).toBe('review_a3');
      });

      it('returns null for an unknown id or step', async () => {
        await store.open(reviewRecord({ id: 'review_a', taskId: 'task_a', stepKey: '1' }));
        expect(await store.get('review_missing')).toBeNull();
        expect(await store.getByStep('task_a', '2')).toBeNull();
        expect(await store.getByStep('task_b', '1')).toBeNull();
      });
    });

    describe('list', () => {
      it('returns reviews newest first, up to the limit', async () => {
        await openAll([
          reviewRecord({ id: 'review_b', createdAt: 2_000 }),
          reviewRecord({ id: 'review_c', createdAt: 3_000 }),
          reviewRecord({ id: 'review_a', createdAt: 1_000 }),
        ]);
        expect(await listIds({ limit: 10 })).toEqual(['review_c', 'review_b', 'review_a']);
        expect(await listIds({ limit: 2 })).toEqual(['review_c', 'review_b']);
      });

      it('orders reviews opened in the same millisecond by id, descending', async () => {
        await openAll([
          reviewRecord({ id: 'review_2', createdAt: 5_000 }),
          reviewRecord({ id: 'review_3', createdAt: 5_000 }),
          reviewRecord({ id: 'review_1', createdAt: 5_000 }),
        ]);
        expect(await listIds({ limit: 10 })).toEqual(['review_3', 'review_2', 'review_1']);
      });

      it('returns an empty list when there are no reviews', async () => {
        expect(await store.list({ limit: 10 })).toEqual([]);
      });

      it('keeps only the requested status', async () => {
        await openAll([
          reviewRecord({ id: 'review_a', createdAt: 1_000 }),
          reviewRecord({ id: 'review_b', createdAt: 2_000 }),
          reviewRecord({ id: 'review_c', createdAt: 3_000 }),
        ]);
        await store.answer('review_b', approve, 4_000);
        expect(await listIds({ status: 'pending', limit: 10 })).toEqual(['review_c', 'review_a']);
        expect(await listIds({ status: 'answered', limit: 10 })).toEqual(['review_b']);
      });

      it('keeps only the requested task', async () => {
        await openAll([
          reviewRecord({ id: 'review_a1', taskId: 'task_a', createdAt: 1_000 }),
          reviewRecord({ id: 'review_b1', taskId: 'task_b', createdAt: 2_000 }),
          reviewRecord({ id: 'review_a2', taskId: 'task_a', createdAt: 3_000 }),
        ]);
        expect(await listIds({ taskId: 'task_a', limit: 10 })).toEqual(['review_a2', 'review_a1']);
        expect(await listIds({ taskId: 'task_b', limit: 10 })).toEqual(['review_b1']);
        expect(await listIds({ taskId: 'task_missing', limit: 10 })).toEqual([]);
      });

      it('applies the status and task filters together', async () => {
        await openAll([
          reviewRecord({ id: 'review_a1', taskId: 'task_a', createdAt: 1_000 }),
          reviewRecord({ id: 'review_a2', taskId: 'task_a', createdAt: 2_000 }),
          reviewRecord({ id: 'review_b1', taskId: 'task_b', createdAt: 3_000 }),
        ]);
        await store.answer('review_a1', approve, 4_000);
        expect(await listIds({ status: 'pending', taskId: 'task_a', limit: 10 })).toEqual(['review_a2']);
        expect(await listIds({ status: 'answered', taskId: 'task_b', limit: 10 })).toEqual([]);
      });

      it('continues after the `before` cursor, excluding the cursor row', async () => {
        await openAll([
          reviewRecord({ id: 'review_a', createdAt: 1_000 }),
          reviewRecord({ id: 'review_b', createdAt: 2_000 }),
          reviewRecord({ id: 'review_c', createdAt: 3_000 }),
          reviewRecord({ id: 'review_d', createdAt: 4_000 }),
        ]);
        expect(await listIds({ limit: 2, before: 'review_c' })).toEqual(['review_b', 'review_a']);
        expect(await listIds({ limit: 10, before: 'review_a' })).toEqual([]);
      });

      it('pages through every review exactly once, even when createdAt ties span a page boundary', async () => {
        const opened: ReviewRecord[] = [];
        for (let i = 0; i < 7; i++) {
          // Pairs of reviews share a millisecond so ties fall on page boundaries.
          opened.push(
            reviewRecord({
              id: `review_${String(i).padStart(2, '0')}`,
              createdAt: 10_000 + Math.floor(i / 2),
            }),
          );
        }
        await openAll(opened);
        const seen: string[] = [];
        let before: string | undefined;
        for (let page = 0; page < 10; page++) {
          const ids = await listIds(before === undefined ? { limit: 3 } : { limit: 3, before });
          if (ids.length === 0) break;
          seen.push(...ids);
          before = ids.at(-1);
        }
        expect(seen).toEqual(opened.map((review) => review.id).reverse());
      });

      it('applies the filters and the cursor together', async () => {
        await openAll([
          reviewRecord({ id: 'review_a', taskId: 'task_a', createdAt: 1_000 }),
          reviewRecord({ id: 'review_b', taskId: 'task_b', createdAt: 2_000 }),
          reviewRecord({ id: 'review_c', taskId: 'task_a', createdAt: 3_000 }),
          reviewRecord({ id: 'review_d', taskId: 'task_a', createdAt: 4_000 }),
        ]);
        await store.answer('review_c', approve, 5_000);
        // The cursor may name a row the filters exclude: position, not membership, matters.
        expect(await listIds({ status: 'pending', limit: 10, before: 'review_c' })).toEqual([
          'review_b',
          'review_a',
        ]);
        expect(await listIds({ taskId: 'task_a', limit: 10, before: 'review_b' })).toEqual(['review_a']);
        expect(await listIds({ status: 'pending', taskId: 'task_a', limit: 10, before: 'review_d' })).toEqual(
          ['review_a'],
        );
      });
    });

    describe('answer', () => {
      it('answers a pending review and returns it with the answer and the time', async () => {
        const review = reviewRecord({ id: 'review_a' });
        await store.open(review);
        const answer: ReviewAnswer = { decision: 'reject', note: 'too risky', payload: null };
        const expected: ReviewRecord = { ...review, status: 'answered', answer, answeredAt: 7_000 };
        expect(await store.answer('review_a', answer, 7_000)).toEqual(expected);
        expect(await store.get('review_a')).toEqual(expected);
        expect(await store.getByStep(review.taskId, review.stepKey)).toEqual(expected);
      });

      it('refuses a second answer and keeps the first', async () => {
        await store.open(reviewRecord({ id: 'review_a' }));
        const first: ReviewAnswer = { decision: 'approve', note: 'fine', payload: null };
        const firstResult = await store.answer('review_a', first, 7_000);
        const second: ReviewAnswer = { decision: 'reject', note: 'changed my mind', payload: null };
        expect(await store.answer('review_a', second, 8_000)).toBeNull();
        expect(await store.get('review_a')).toEqual(firstResult);
        expect(await store.get('review_a')).toMatchObject({
          status: 'answered',
          answer: first,
          answeredAt: 7_000,
        });
      });

      it('lets exactly one of two concurrent answers win', async () => {
        await store.open(reviewRecord({ id: 'review_a' }));
        const approved: ReviewAnswer = { decision: 'approve', note: null, payload: null };
        const rejected: ReviewAnswer = { decision: 'reject', note: null, payload: null };
        const results = await Promise.all([
          store.answer('review_a', approved, 7_000),
          store.answer('review_a', rejected, 7_001),
        ]);
        const winners = results.filter((result) => result !== null);
        expect(winners).toHaveLength(1);
        expect(await store.get('review_a')).toEqual(winners[0]);
      });

      it('returns null for an unknown id and creates nothing', async () => {
        expect(await store.answer('review_missing', approve, 7_000)).toBeNull();
        expect(await store.get('review_missing')).toBeNull();
        expect(await store.list({ limit: 10 })).toEqual([]);
      });

      it('does not touch the other reviews', async () => {
        const other = reviewRecord({ id: 'review_b', stepKey: '2' });
        await openAll([reviewRecord({ id: 'review_a', stepKey: '1' }), other]);
        await store.answer('review_a', approve, 7_000);
        expect(await store.get('review_b')).toEqual(other);
      });
    });

    describe('cancelPending', () => {
      it("closes only the task's pending reviews, which can then no longer be answered", async () => {
        await openAll([
          reviewRecord({ id: 'review_a', stepKey: '1' }),
          reviewRecord({ id: 'review_b', stepKey: '2' }),
          reviewRecord({ id: 'review_c', taskId: 'task_b', stepKey: '1' }),
        ]);
        await store.answer('review_b', approve, 6_000);
        expect(await store.cancelPending('task_a', 7_000)).toBe(1);
        expect(await store.get('review_a')).toMatchObject({
          status: 'cancelled',
          answer: null,
          answeredAt: 7_000,
        });
        expect(await store.get('review_b')).toMatchObject({
          status: 'answered',
          answer: approve,
          answeredAt: 6_000,
        });
        expect((await store.get('review_c'))?.status).toBe('pending');
        expect(await store.answer('review_a', approve, 8_000)).toBeNull();
        expect((await store.list({ status: 'cancelled', limit: 10 })).map((r) => r.id)).toEqual(['review_a']);
        expect(await store.cancelPending('task_a', 9_000)).toBe(0);
      });
    });

    const values: [string, Json][] = [
      [
        'a nested object',
        {
          tool: 'shell',
          args: { command: 'rm', flags: ['-r', { force: true }] },
          limits: { depth: 2, cost: 0.5 },
        },
      ],
      ['null', null],
      ['the string "null"', 'null'],
      ['an empty string', ''],
      ['a string', 'please review this'],
      ['zero', 0],
      ['false', false],
      ['an empty array', []],
      ['an empty object', {}],
      ['an array of mixed values', [1, 'two', null, false, { five: [] }]],
      ['text with unicode and control characters', 'naïve — 日本語 😀\n\t"quoted" \\ back'],
    ];
    for (const [label, value] of values) {
      it(`round-trips a payload that is ${label}`, async () => {
        await store.open(reviewRecord({ id: 'review_a', payload: value }));
        expect((await store.get('review_a'))?.payload).toEqual(value);
        expect((await store.list({ limit: 1 }))[0]?.payload).toEqual(value);
      });

      it(`round-trips an edited answer payload that is ${label}`, async () => {
        await store.open(reviewRecord({ id: 'review_a' }));
        const answer: ReviewAnswer = { decision: 'edit', note: 'adjusted', payload: value };
        expect((await store.answer('review_a', answer, 7_000))?.answer).toEqual(answer);
        expect((await store.get('review_a'))?.answer).toEqual(answer);
      });
    }
  });
}
