import { describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import type { ObservedAction } from './loop-guard.js';
import { createLoopGuard } from './loop-guard.js';

/** The error `fn` throws, or undefined. */
function thrownBy(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const read = (overrides: Partial<ObservedAction> = {}): ObservedAction => ({
  agent: 'coder',
  action: 'read_file',
  args: { path: 'a.ts', lines: [1, 10] },
  result: 'same content',
  ...overrides,
});

describe('loop guard', () => {
  it('stops an agent that repeats the same call with the same result three times', () => {
    const guard = createLoopGuard();
    guard.observe(read());
    guard.observe(read());
    const error = thrownBy(() => guard.observe(read()));
    expect(error).toBeInstanceOf(AgentdError);
    expect(error).toMatchObject({
      code: 'loop.detected',
      details: { agent: 'coder', action: 'read_file', repeats: 3 },
    });
    expect((error as AgentdError).message).toContain("agent 'coder'");
    expect((error as AgentdError).message).toContain('read_file');
  });

  it('never triggers while results change (progress)', () => {
    const guard = createLoopGuard();
    let observed = 0;
    const error = thrownBy(() => {
      for (let i = 0; i < 50; i++) {
        guard.observe(read({ result: { attempt: i } }));
        observed++;
      }
    });
    expect(error).toBeUndefined();
    expect(observed).toBe(50);
    // The same call, once its result stops changing, is a loop again: the result was the progress.
    guard.observe(read({ result: 'stuck' }));
    guard.observe(read({ result: 'stuck' }));
    expect(thrownBy(() => guard.observe(read({ result: 'stuck' })))).toMatchObject({
      code: 'loop.detected',
      details: { repeats: 3 },
    });
  });

  it('treats arguments with a different key order as the same call', () => {
    const guard = createLoopGuard();
    guard.observe(read({ args: { path: 'a.ts', opts: { a: 1, b: 2 } } }));
    guard.observe(read({ args: { opts: { b: 2, a: 1 }, path: 'a.ts' } }));
    expect(
      thrownBy(() => guard.observe(read({ args: { opts: { a: 1, b: 2 }, path: 'a.ts' } }))),
    ).toMatchObject({
      code: 'loop.detected',
    });
  });

  it('treats different arguments or actions as different calls', () => {
    const guard = createLoopGuard();
    const calls = [read(), read({ args: { path: 'b.ts' } }), read({ action: 'list_dir' })];
    // Six actions with the same result, but three different calls made twice each: no loop yet.
    const error = thrownBy(() => {
      for (let i = 0; i < 2; i++) for (const call of calls) guard.observe(call);
    });
    expect(error).toBeUndefined();
    // Each call is counted on its own: its third time, and only then, is the loop, and the error names it.
    expect(thrownBy(() => guard.observe(read({ action: 'list_dir' })))).toMatchObject({
      code: 'loop.detected',
      details: { action: 'list_dir', args: { path: 'a.ts', lines: [1, 10] }, repeats: 3 },
    });
    expect(thrownBy(() => guard.observe(read({ args: { path: 'b.ts' } })))).toMatchObject({
      code: 'loop.detected',
      details: { action: 'read_file', args: { path: 'b.ts' }, repeats: 3 },
    });
  });

  it('tracks each agent separately', () => {
    const guard = createLoopGuard();
    guard.observe(read({ agent: 'coder' }));
    guard.observe(read({ agent: 'reviewer' }));
    guard.observe(read({ agent: 'coder' }));
    guard.observe(read({ agent: 'reviewer' }));
    expect(thrownBy(() => guard.observe(read({ agent: 'reviewer' })))).toMatchObject({
      code: 'loop.detected',
      details: { agent: 'reviewer' },
    });
    expect(thrownBy(() => guard.observe(read({ agent: 'coder' })))).toMatchObject({
      code: 'loop.detected',
      details: { agent: 'coder' },
    });
  });

  it('forgets actions older than the window', () => {
    const spread = (guard: ReturnType<typeof createLoopGuard>) => {
      for (let i = 0; i < 3; i++) {
        guard.observe(read());
        for (let j = 0; j < 3; j++) guard.observe(read({ action: `other-${j}`, result: i }));
      }
    };
    // Repeats four actions apart never share a window of four.
    expect(thrownBy(() => spread(createLoopGuard({ window: 4 })))).toBeUndefined();
    // The same trajectory is a loop within the default window of twelve.
    expect(thrownBy(() => spread(createLoopGuard()))).toMatchObject({ code: 'loop.detected' });
  });

  it('honours a custom number of repeats', () => {
    const guard = createLoopGuard({ repeats: 5 });
    for (let i = 0; i < 4; i++) guard.observe(read());
    expect(thrownBy(() => guard.observe(read()))).toMatchObject({
      code: 'loop.detected',
      details: { repeats: 5 },
    });

    const strict = createLoopGuard({ repeats: 2 });
    strict.observe(read());
    expect(thrownBy(() => strict.observe(read()))).toMatchObject({ code: 'loop.detected' });
  });
});
