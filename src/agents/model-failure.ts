import { ModelCallError } from '../core/errors.js';
import '../models/model-error-codes.js';
import { describeModelFailure } from '../router/index.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle } from '../trace/index.js';
import type { AgentContext } from './agent-runner.js';

/**
 * A streamed answer broke off after text had gone to live followers: tells them to drop the step's
 * text (`step-restart`), and returns the error the attempt fails with. It is routed like what broke
 * the stream (a reset is a `connection` failure, a stall a `timeout`), so the router retries it or
 * falls back, and the new attempt streams the step's text from the start.
 */
export function interrupted(
  ctx: Pick<AgentContext, 'emit' | 'durable'>,
  call: { step: string; agent: string; modelId: string; cause: unknown },
): ModelCallError {
  const failure = describeModelFailure(call.cause);
  ctx.emit('step-restart', {
    taskId: ctx.durable.taskId,
    step: call.step,
    agent: call.agent,
    reason: { code: failure.code, message: failure.message },
  });
  return new ModelCallError({
    code: 'model.stream_interrupted',
    retryable: failure.retryable,
    message: `${call.modelId}: the answer broke off after it had started (${failure.message})`,
    details: { class: failure.class },
    cause: call.cause,
  });
}

/** Ends a failed `chat` span with the error's code, its class and the provider's HTTP status. */
export function endFailedCallSpan(span: SpanHandle, error: unknown): void {
  const failure = describeModelFailure(error);
  span.setAttributes({
    [ATTR.errorClass]: failure.class,
    ...(failure.status !== undefined ? { [ATTR.httpStatus]: failure.status } : {}),
  });
  span.end({ code: failure.code, message: failure.message });
}
