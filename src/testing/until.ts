import { performance } from 'node:perf_hooks';

// Taken when this module loads, so that a test which fakes timers or Date (vi.useFakeTimers) can still
// wait for something with until(): the wait runs on the real clock.
const realSetTimeout = globalThis.setTimeout;
const elapsedMs = performance.now.bind(performance);

/** Options of {@link until}. */
export interface UntilOptions {
  /** Give up after this long, ms (default 10 000: generous, as it only bounds a test that is failing). */
  timeoutMs?: number;
  /** Time between two looks, ms (default 10). */
  intervalMs?: number;
  /**
   * What was waited for, said in the error on timeout (default: the condition's source); a function is
   * asked on timeout, so it can tell the state things were left in.
   */
  message?: string | (() => string);
}

/** A value that passed as a condition: not false, null, undefined, 0n or an empty string. */
export type Truthy<T> = Exclude<T, false | null | undefined | '' | 0n>;

/**
 * Waits until `condition` returns a truthy value and returns that value: the way a test waits for
 * something to happen, instead of sleeping for a fixed time and hoping it happened. The condition may
 * be sync or async; while it returns a falsy value or throws, it is asked again every `intervalMs`.
 * Fails after `timeoutMs` with `message` and the last error the condition threw, if any. It waits on the
 * real clock even where a test fakes timers.
 */
export async function until<T>(
  condition: () => T | Promise<T>,
  options: UntilOptions = {},
): Promise<Truthy<Awaited<T>>> {
  const { timeoutMs = 10_000, intervalMs = 10 } = options;
  const deadline = elapsedMs() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<Awaited<T>>;
    } catch (error) {
      lastError = error;
    }
    if (elapsedMs() >= deadline) {
      const what =
        typeof options.message === 'function'
          ? options.message()
          : (options.message ?? `condition ${condition.toString()}`);
      const cause = lastError === undefined ? '' : `; it last threw: ${String(lastError)}`;
      throw new Error(`until: gave up after ${timeoutMs} ms waiting for ${what}${cause}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => realSetTimeout(resolve, intervalMs));
  }
}
