import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { AgentdError } from '../core/errors.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../store/stores.js';
import { createJournalEngine } from './journal-engine.js';

describe('journal engine', () => {
  let dir: string;
  let stores: Stores;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-journal-'));
    stores = openSqliteStores({ path: join(dir, 'agentd.db') });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signal = () => new AbortController().signal;

  it('runs each step once and replays journaled outputs on a second run of the same task', async () => {
    const engine = createJournalEngine({ journal: stores.journal, clock: systemClock });
    const executed: string[] = [];
    const workflow = async (ctx: Parameters<Parameters<typeof engine.run>[1]>[0]) => {
      const a = await ctx.step('a', async () => (executed.push('a'), { n: 1 }));
      const b = await ctx.step('b', async () => (executed.push('b'), [a, 'two']));
      return b;
    };
    const first = await engine.run({ taskId: 't1', signal: signal() }, workflow);
    const second = await engine.run({ taskId: 't1', signal: signal() }, workflow);
    expect(second).toEqual(first);
    expect(executed).toEqual(['a', 'b']);
    expect((await stores.journal.list('t1')).map((s) => [s.seq, s.name, s.status])).toEqual([
      [1, 'a', 'completed'],
      [2, 'b', 'completed'],
    ]);
  });

  it('reports replayed steps to the hooks with their journaled output', async () => {
    const engine = createJournalEngine({ journal: stores.journal, clock: systemClock });
    await engine.run({ taskId: 't1', signal: signal() }, (ctx) => ctx.step('a', async () => 'out'));
    const seen: unknown[] = [];
    await engine.run({ taskId: 't1', signal: signal() }, (ctx) =>
      ctx.step('a', async () => 'never', { onEnd: (info) => seen.push(info) }),
    );
    expect(seen).toEqual([{ seq: 1, replayed: true, output: 'out' }]);
  });

  it('refuses a resume whose steps differ from the journal', async () => {
    const engine = createJournalEngine({ journal: stores.journal, clock: systemClock });
    await engine.run({ taskId: 't1', signal: signal() }, (ctx) => ctx.step('a', async () => 1));
    await expect(
      engine.run({ taskId: 't1', signal: signal() }, (ctx) => ctx.step('b', async () => 2)),
    ).rejects.toMatchObject({ code: 'journal.nondeterministic' });
  });

  it('journals a failed step and replays the failure without running it again', async () => {
    const engine = createJournalEngine({ journal: stores.journal, clock: systemClock });
    let runs = 0;
    const workflow = (ctx: Parameters<Parameters<typeof engine.run>[1]>[0]) =>
      ctx.step('boom', async () => {
        runs++;
        throw new AgentdError({ code: 'tool.broken', message: 'broken' });
      });
    await expect(engine.run({ taskId: 't1', signal: signal() }, workflow)).rejects.toMatchObject({
      code: 'tool.broken',
    });
    await expect(engine.run({ taskId: 't1', signal: signal() }, workflow)).rejects.toMatchObject({
      code: 'tool.broken',
    });
    expect(runs).toBe(1);
  });

  it('does not journal a step cut short by cancellation, so a resume runs it', async () => {
    const engine = createJournalEngine({ journal: stores.journal, clock: systemClock });
    const controller = new AbortController();
    const run = engine.run({ taskId: 't1', signal: controller.signal }, (ctx) =>
      ctx.step('slow', ({ signal: stepSignal }) => {
        controller.abort(new Error('stop'));
        stepSignal.throwIfAborted();
        return Promise.resolve(1);
      }),
    );
    await expect(run).rejects.toThrow();
    expect(await stores.journal.list('t1')).toEqual([]);
  });
});
