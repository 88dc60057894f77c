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
  /**
   * The folder foreign agents' `module` and `cwd` paths resolve in and may not leave (default: the
   * folder agentd was started in).
   */
  projectDir: z.string().min(1).optional(),
  /**
   * Programs `process` agents may run: an entry is an argv prefix (`python3` allows any python3
   * command, `python3 agents/triage.py` only that one). Empty (the default): no process agent runs.
   */
  allowedCommands: z.array(z.string().min(1)).default([]),
  /** agentd's environment variables that `process` agents' `env: NAME` references may read. */
  allowedEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
});
