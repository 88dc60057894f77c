import type { Logger } from '../core/logger.js';
import { createPolicyRedactor, resolvePiiPolicy, type PiiRule } from '../security/index.js';

/** What a blocked value in a span or log line is replaced with: tracing never fails a task. */
const WITHHELD = '[WITHHELD: personal data]';
const MEMO_TEXT_LENGTH = 120;
const MEMO_ENTRIES = 2048;

/**
 * `security.pii.traces` as a text function for the tracer and the logger: masked types become
 * `[EMAIL_1]` (numbered within one text; nothing maps them back), a blocked type withholds the whole
 * text. Undefined when the rule allows everything, so the tracer skips the work.
 */
export function traceRedaction(rule: PiiRule): ((text: string) => string) | undefined {
  const policy = resolvePiiPolicy('traces', rule);
  if (policy.watched.length === 0) return undefined;
  const redact = (text: string): string => {
    try {
      return createPolicyRedactor(policy).redact(text, 'a span');
    } catch {
      // pii.blocked: the policy says this text must not be written at all.
      return WITHHELD;
    }
  };
  // Span attributes repeat (operation and model names, agent names, finish reasons): short texts are
  // remembered, in a map emptied when full so it stays bounded.
  const seen = new Map<string, string>();
  return (text) => {
    // Nothing shorter is long enough to be personal data.
    if (text.length < 6) return text;
    if (text.length > MEMO_TEXT_LENGTH) return redact(text);
    let result = seen.get(text);
    if (result === undefined) {
      if (seen.size >= MEMO_ENTRIES) seen.clear();
      result = redact(text);
      seen.set(text, result);
    }
    return result;
  };
}

/** A logger whose messages and string fields pass through `redact` first. */
export function redactingLogger(inner: Logger, redact: ((text: string) => string) | undefined): Logger {
  if (!redact) return inner;
  const fields = (values: Record<string, unknown> | undefined) =>
    values &&
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, typeof value === 'string' ? redact(value) : value]),
    );
  return {
    debug: (message, values) => inner.debug(redact(message), fields(values)),
    info: (message, values) => inner.info(redact(message), fields(values)),
    warn: (message, values) => inner.warn(redact(message), fields(values)),
    error: (message, values) => inner.error(redact(message), fields(values)),
  };
}
