/** Who is at fault: the caller's input, agentd itself, or a service agentd depends on. */
export type ErrorCategory = 'user' | 'system' | 'upstream';

/** Options for {@link AgentdError}. */
export interface AgentdErrorOptions {
  code: string;
  message: string;
  category?: ErrorCategory;
  /** A path into the offending input (e.g. `providers.openai.baseUrl`), when there is one. */
  path?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type of agentd: a stable `domain.reason` code, a category and a human message. */
export class AgentdError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly path: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(options: AgentdErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentdError';
    this.code = options.code;
    this.category = options.category ?? 'user';
    this.path = options.path;
    this.details = options.details;
  }

  /** The serialisable form used in task results, HTTP bodies and CLI `--json` output. */
  toJSON(): { code: string; message: string; path?: string } {
    return this.path === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, path: this.path };
  }
}

/** A model call failed; `retryable` tells the router whether trying again can help. */
export class ModelCallError extends AgentdError {
  readonly retryable: boolean;
  constructor(options: AgentdErrorOptions & { retryable: boolean }) {
    super({ category: 'upstream', ...options });
    this.name = 'ModelCallError';
    this.retryable = options.retryable;
  }
}

/** A spending limit would be or was exceeded. */
export class BudgetExceededError extends AgentdError {
  constructor(options: Omit<AgentdErrorOptions, 'code'> & { code?: string }) {
    super({ code: 'budget.exceeded', ...options });
    this.name = 'BudgetExceededError';
  }
}

/** A policy (permissions, sandbox, approval) refused the action. */
export class PolicyDeniedError extends AgentdError {
  constructor(options: AgentdErrorOptions) {
    super(options);
    this.name = 'PolicyDeniedError';
  }
}

/** A URL points somewhere agentd must not fetch (private network, metadata service, bad scheme). */
export class UnsafeUrlError extends AgentdError {
  constructor(options: Omit<AgentdErrorOptions, 'code'> & { code?: string }) {
    super({ code: 'security.unsafe_url', ...options });
    this.name = 'UnsafeUrlError';
  }
}

/** A named thing does not exist (`task.not_found`, `agent.not_found`, …). */
export function notFound(kind: string, id: string): AgentdError {
  return new AgentdError({
    code: `${kind}.not_found`,
    message: `${kind} '${id}' not found`,
    category: 'user',
  });
}

/** Turns anything thrown into an AgentdError, keeping AgentdErrors as they are. */
export function toAgentdError(error: unknown): AgentdError {
  if (error instanceof AgentdError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new AgentdError({ code: 'task.cancelled', message: 'cancelled', category: 'user', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AgentdError({ code: 'internal.error', message, category: 'system', cause: error });
}
