import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { ModelCallError } from '../core/errors.js';
import '../models/model-error-codes.js';

/** The two deadlines of a streamed model call, ms. */
export interface StreamTimeouts {
  /** From dispatch to the first token (text, tool call, reasoning or finish). */
  firstTokenMs: number;
  /** Between two stream parts once the first token has come. */
  stallMs: number;
}

/** Watches one streamed call; see {@link createStreamWatchdog}. */
export interface StreamWatchdog {
  /** Aborts, with a `TimeoutError`, when a deadline passes; the call is sent with it. */
  readonly signal: AbortSignal;
  /** Records a part of the stream: the first token ends the first-token wait, every part restarts the stall wait. */
  saw(part: LanguageModelV3StreamPart): void;
  /** The error the call fails with once `signal` has aborted: a retryable `model.timeout`. */
  error(): ModelCallError;
  /** Stops the timer (the call ended). */
  stop(): void;
}

// Parts the AI SDK emits before anything the model said: they do not end the first-token wait.
const PREAMBLE: ReadonlySet<LanguageModelV3StreamPart['type']> = new Set([
  'stream-start',
  'response-metadata',
  'raw',
]);

/**
 * Deadlines for a hung provider, shorter than the whole call's limit (`agents.modelTimeoutMs`): a
 * server that accepts the request but sends no token, or stops sending mid-answer, is given up on
 * after `firstTokenMs` or `stallMs` instead of the full limit. The abort reason is a DOMException
 * named `TimeoutError`, which the AI SDK passes through unwrapped like its own timeouts; `error()`
 * is what the attempt fails with, classed `timeout` and retryable (the router retries it once).
 */
export function createStreamWatchdog(options: { modelId: string } & StreamTimeouts): StreamWatchdog {
  const controller = new AbortController();
  let phase: 'first-token' | 'stall' = 'first-token';
  let lastPartAt = 0;
  // One timer, not one per part: when it fires in the stall phase it checks when the last part came
  // and sleeps again for the rest of the wait if that was recent.
  const fire = () => {
    const quietMs = phase === 'stall' ? performance.now() - lastPartAt : options.firstTokenMs;
    const limitMs = phase === 'stall' ? options.stallMs : options.firstTokenMs;
    if (quietMs < limitMs) {
      timer = setTimeout(fire, limitMs - quietMs).unref();
      return;
    }
    const what =
      phase === 'first-token'
        ? `no first token within ${limitMs} ms`
        : `the stream stalled for ${limitMs} ms`;
    controller.abort(new DOMException(`${options.modelId}: ${what}`, 'TimeoutError'));
  };
  // A pending deadline alone must not keep the process alive.
  let timer = setTimeout(fire, options.firstTokenMs).unref();
  return {
    signal: controller.signal,
    saw(part) {
      if (phase === 'first-token') {
        if (PREAMBLE.has(part.type) || controller.signal.aborted) return;
        phase = 'stall';
        clearTimeout(timer);
        timer = setTimeout(fire, options.stallMs).unref();
      }
      lastPartAt = performance.now();
    },
    error() {
      const ms = phase === 'first-token' ? options.firstTokenMs : options.stallMs;
      const setting =
        phase === 'first-token'
          ? 'agents.firstTokenTimeoutMs, or the model’s timeouts.firstTokenMs'
          : 'agents.stallTimeoutMs, or the model’s timeouts.stallMs';
      return new ModelCallError({
        code: 'model.timeout',
        retryable: true,
        message: `${(controller.signal.reason as Error | undefined)?.message ?? options.modelId} (${setting})`,
        details: { phase, timeoutMs: ms },
      });
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
