import { z } from 'zod';

/** The `agents` section: defaults for agents that do not set their own. */
export const AgentsConfigSchema = z.strictObject({
  /** Model calls an agent may make in one run (each tool round trip is one more call). */
  maxSteps: z.number().int().min(1).max(100).default(8),
  /** A model call that has not finished after this long fails with `model.timeout`. */
  modelTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
  /**
   * A streamed call with no first token (text, tool call or reasoning) this long after it was sent
   * fails with a retryable `model.timeout`: retried once, then failed over. A model's own
   * `timeouts.firstTokenMs` in the catalog wins (reasoning and local models may need more).
   */
  firstTokenTimeoutMs: z.number().int().min(10).max(3_600_000).default(60_000),
  /** Likewise for a stream that sends nothing for this long after its first token (`timeouts.stallMs`). */
  stallTimeoutMs: z.number().int().min(10).max(3_600_000).default(30_000),
});
