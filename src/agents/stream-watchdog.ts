import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { AgentdError, ModelCallError } from '../core/errors.js';
import '../models/model-error-codes.js';

/** The deadlines of a streamed model call, ms. */
export interface StreamTimeouts {
  /** From dispatch to the whole answer (`agents.modelTimeoutMs`). */
  totalMs: number;
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
  /**
   * The error the call fails with once `signal` has aborted: `model.timeout`, retryable for the
   * first-token and stall deadlines (the router retries it once), not for the whole call's.
   */
  error(): AgentdError;
  /** Stops the timer (the call ended). */
  stop(): void;
}

// Parts the AI SDK emits before anything the model said: they do not end the first-token wait.
const PREAMBLE: ReadonlySet<LanguageModelV3StreamPart['type']> = new Set([
  'stream-start',
  'response-metadata',
  'raw',
]);

type Deadline = 'total' | 'first-token' | 'stall';

/**
 * The deadlines of a model call on one timer. Besides the whole call's limit, a hung provider is
 * given up on sooner: a server that accepts the request but sends no token within `firstTokenMs`, or
 * stops sending for `stallMs` mid-answer (ADR 0040). The abort reason is a DOMException named
 * `TimeoutError`, which the AI SDK passes through unwrapped like its own timeouts.
 */
export function createStreamWatchdog(options: { modelId: string } & StreamTimeouts): StreamWatchdog {
  const controller = new AbortController();
  const startedAt = performance.now();
  let firstTokenAt: number | undefined;
  let lastPartAt = 0;
  let passed: Deadline | undefined;
  // One timer, not one per part: when it fires it looks at when the last part came and sleeps again
  // for the rest of the nearest deadline if none has passed.
  const fire = () => {
    const now = performance.now();
    const totalLeft = startedAt + options.totalMs - now;
    const phaseLeft =
      firstTokenAt === undefined
        ? startedAt + options.firstTokenMs - now
        : lastPartAt + options.stallMs - now;
    if (totalLeft > 0 && phaseLeft > 0) {
      arm(Math.min(totalLeft, phaseLeft));
      return;
    }
    passed = totalLeft <= 0 ? 'total' : firstTokenAt === undefined ? 'first-token' : 'stall';
    controller.abort(new DOMException(describe(passed), 'TimeoutError'));
  };
  let timer: NodeJS.Timeout | undefined;
  let timerAt = 0;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timerAt = performance.now() + ms;
    // A pending deadline alone must not keep the process alive.
    timer = setTimeout(fire, ms).unref();
  };
  arm(Math.min(options.totalMs, options.firstTokenMs));

  const describe = (deadline: Deadline) =>
    deadline === 'total'
      ? `${options.modelId}: no complete answer within ${options.totalMs} ms (agents.modelTimeoutMs)`
      : deadline === 'first-token'
        ? `${options.modelId}: no first token within ${options.firstTokenMs} ms (agents.firstTokenTimeoutMs, or the model’s timeouts.firstTokenMs)`
        : `${options.modelId}: the stream stalled for ${options.stallMs} ms (agents.stallTimeoutMs, or the model’s timeouts.stallMs)`;

  return {
    signal: controller.signal,
    saw(part) {
      lastPartAt = performance.now();
      if (firstTokenAt === undefined) {
        if (PREAMBLE.has(part.type)) return;
        firstTokenAt = lastPartAt;
        // The stall deadline may come before the timer set for the first token: move the timer up.
        if (lastPartAt + options.stallMs < timerAt) arm(options.stallMs);
      }
    },
    error() {
      const deadline = passed ?? 'total';
      // The whole call's limit was waited out once: another model is tried rather than this one again.
      if (deadline === 'total')
        return new AgentdError({ code: 'model.timeout', message: describe(deadline) });
      return new ModelCallError({
        code: 'model.timeout',
        retryable: true,
        message: describe(deadline),
        details: { deadline, timeoutMs: deadline === 'first-token' ? options.firstTokenMs : options.stallMs },
      });
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
