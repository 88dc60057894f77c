/** Who is at fault: the caller's input, agentd itself, or a service agentd depends on. */
export type ErrorFault = 'user' | 'system' | 'upstream';

/**
 * What an error means, declared once per code. The edges turn a category into an HTTP status or a
 * CLI exit code; the run turns `guard` and `halt` into stopping an agent or the whole task.
 */
export const ERROR_CATEGORIES = {
  /** The caller's input, configuration or request cannot be served as given. */
  invalid: { fault: 'user' },
  /** The resource the request addresses (a task, a review, a memory, a route) does not exist. */
  not_found: { fault: 'user' },
  /** The request collides with the current state (already answered, a duplicate key). */
  conflict: { fault: 'user' },
  /** The request carries no valid credentials. */
  unauthenticated: { fault: 'user' },
  /** A policy (sandbox, origin, data locality) refused the action. */
  forbidden: { fault: 'user' },
  /** The request body is over the size limit. */
  too_large: { fault: 'user' },
  /** The request body is not in a format agentd reads. */
  unsupported: { fault: 'user' },
  /** The request was understood and refused for its content (e.g. junk offered to memory). */
  refused: { fault: 'user' },
  /** A run guard (a repeated action, delegation too deep) stopped an agent: not the model's to handle. */
  guard: { fault: 'user' },
  /** The task stops as a whole: cancelled, interrupted, suspended for a human, or out of budget or steps. */
  halt: { fault: 'user' },
  /** A service agentd depends on (a model provider) failed or answered unusably. */
  upstream: { fault: 'upstream' },
  /** The caller sent too much, too fast (failed logins, one key's request rate); it may retry later. */
  rate_limited: { fault: 'user' },
  /** agentd cannot take the request now (its run queue is full); the same request may succeed later. */
  unavailable: { fault: 'system' },
  /** agentd itself failed; also every error whose code is not declared. */
  system: { fault: 'system' },
} as const satisfies Record<string, { fault: ErrorFault }>;

/** A declared error category (see {@link ERROR_CATEGORIES}). */
export type ErrorCategory = keyof typeof ERROR_CATEGORIES;

/** A table of error codes (`domain.reason`) and their categories, as one domain declares it. */
export type ErrorCodeTable = Readonly<Record<string, ErrorCategory>>;

const DECLARED = new Map<string, ErrorCategory>();
const TABLES: ErrorCodeTable[] = [];

/**
 * Declares a domain's error codes with their categories and returns the table. Each domain calls it
 * once, in its `*-error-codes.ts`, and adds the table to {@link ErrorCodeTables} so its codes join
 * {@link ErrorCode}; a module that throws a code imports the table that declares it (ADR 0017).
 */
export function declareErrorCodes<const T extends ErrorCodeTable>(table: T): T {
  for (const [code, category] of Object.entries(table)) {
    const declared = DECLARED.get(code);
    if (declared !== undefined && declared !== category) {
      throw new Error(`error code '${code}' is declared twice, as '${declared}' and '${category}'`);
    }
    DECLARED.set(code, category);
  }
  const frozen = Object.freeze(table);
  TABLES.push(frozen);
  return frozen;
}

/** Every table declared so far in this process (for the tests that check them). */
export function declaredErrorTables(): readonly ErrorCodeTable[] {
  return [...TABLES];
}

/** The declared category of a code; `system` for a code nobody declared (e.g. one read from an old record). */
export function categoryOf(code: string): ErrorCategory {
  return DECLARED.get(code) ?? 'system';
}

/** The codes core itself produces. */
export const CORE_ERROR_CODES = declareErrorCodes({
  'internal.error': 'system',
  'task.cancelled': 'halt',
  'budget.exceeded': 'halt',
  'security.unsafe_url': 'invalid',
});

/**
 * The declared tables, by domain. Each domain adds its own by declaration merging:
 * `declare module '../core/errors.js' { interface ErrorCodeTables { budget: typeof BUDGET_ERROR_CODES } }`.
 */
export interface ErrorCodeTables {
  core: typeof CORE_ERROR_CODES;
}

/** Every declared error code: a code no table declares does not compile. */
export type ErrorCode = {
  [Domain in keyof ErrorCodeTables]: keyof ErrorCodeTables[Domain] & string;
}[keyof ErrorCodeTables];

/** Options for {@link AgentdError}. */
export interface AgentdErrorOptions {
  code: ErrorCode;
  message: string;
  /**
   * Overrides the code's declared category; only where the category depends on the situation rather
   * than the code (an error wrapping another takes its cause's).
   */
  category?: ErrorCategory;
  /** A path into the offending input (e.g. `providers.openai.baseUrl`), when there is one. */
  path?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type of agentd: a stable `domain.reason` code, its declared category and a human message. */
export class AgentdError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly path: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(options: AgentdErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentdError';
    this.code = options.code;
    this.category = options.category ?? categoryOf(options.code);
    this.path = options.path;
    this.details = options.details;
  }

  /** Who is at fault, from the category. */
  get fault(): ErrorFault {
    return ERROR_CATEGORIES[this.category].fault;
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
    super(options);
    this.name = 'ModelCallError';
    this.retryable = options.retryable;
  }
}

/** A spending limit would be or was exceeded. */
export class BudgetExceededError extends AgentdError {
  constructor(options: Omit<AgentdErrorOptions, 'code'> & { code?: ErrorCode }) {
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
  constructor(options: Omit<AgentdErrorOptions, 'code'> & { code?: ErrorCode }) {
    super({ code: 'security.unsafe_url', ...options });
    this.name = 'UnsafeUrlError';
  }
}

/** The kinds of thing with a declared `<kind>.not_found` code. */
export type NotFoundKind = ErrorCode extends infer Code
  ? Code extends `${infer Kind}.not_found`
    ? Kind
    : never
  : never;

/** A named thing does not exist (`task.not_found`, `review.not_found`, …). */
export function notFound(kind: NotFoundKind, id: string): AgentdError {
  return new AgentdError({ code: `${kind}.not_found` as ErrorCode, message: `${kind} '${id}' not found` });
}

/**
 * The error a recorded `{ code, message }` (a journaled step, a stored task) stands for: its code's
 * declared category, or `system` for a code this agentd does not declare.
 */
export function restoreError(record: { code: string; message: string }): AgentdError {
  return new AgentdError({ code: record.code as ErrorCode, message: record.message });
}

/** Whether an error stops the agent it reaches instead of going back to its model as a tool result. */
export function stopsAgent(error: AgentdError): boolean {
  return error.category === 'guard' || error.category === 'halt';
}

/** Whether an error ends the whole task, also when one parallel branch meets it. */
export function endsTask(error: AgentdError): boolean {
  return error.category === 'halt';
}

/** Turns anything thrown into an AgentdError, keeping AgentdErrors as they are; anything unexpected is `system`. */
export function toAgentdError(error: unknown): AgentdError {
  if (error instanceof AgentdError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new AgentdError({ code: 'task.cancelled', message: 'cancelled', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AgentdError({ code: 'internal.error', message, cause: error });
}
