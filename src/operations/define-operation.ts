import type { z } from 'zod';
import type { Runtime } from '../runtime/index.js';
import type { Actor, Permission } from '../security/index.js';

/** How an operation is exposed over HTTP. Path params (`:id`) and query params feed the input. */
export interface HttpBinding<I = unknown> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Success status: a fixed one (default 200), or one chosen from the validated input and the result. */
  status?: number | StatusChoice<I>;
  /** Input fields a POST also takes from the query string; listed as query parameters in the API document. */
  query?: readonly string[];
  /** Error statuses particular to this route (e.g. 409), by status, for the API document. */
  errors?: Readonly<Record<number, string>>;
  /** The largest request body this route reads (default and ceiling: 1 MiB). */
  maxBodyBytes?: number;
  /**
   * How long the route may take before the client gets a 503 `request.timeout` (default 30 s). The
   * work itself is not stopped: an operation that must bound itself (a waited task) does so.
   */
  timeLimitMs?: number;
}

/**
 * How an operation's data belongs to tenants, so that a key bound to one tenant sees only that
 * tenant's (enforced by invokeOperation, not by handlers):
 * - `field`: the input's `tenant` names it; a bound key's tenant is filled in, another one is a 403;
 * - `task`: the input's `id` is a task; another tenant's task is not found (404);
 * - `review`: the input's `id` is a review; its task's tenant decides, as for `task`;
 * - `task-filter`: a bound key must name `taskId` (of its own tenant);
 * - `none`: no tenant's data (models, topologies, router statistics, configuration, health);
 * - `all`: acts on every tenant at once (re-embedding, API keys); refused to bound keys (403).
 */
export type TenancyScope = 'field' | 'task' | 'review' | 'task-filter' | 'none' | 'all';

/** A success status that depends on the input or result (200 for a finished task, 202 for one still going). */
export interface StatusChoice<I> {
  of(input: I, output: unknown): number;
  /** Every status `of` can return, so the API document can list them. */
  all: readonly number[];
}

/**
 * One operation: defined once; HTTP routes, CLI commands (and later MCP tools and A2A skills) are
 * generated from it, and every interface invokes it through {@link invokeOperation}.
 */
export interface Operation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** `noun.verb`, unique; also the MCP tool name. */
  name: string;
  description: string;
  input: I;
  output: O;
  /** What the actor must hold; checked before the input is even read. */
  permission: Permission;
  /** Whose data it touches (see {@link TenancyScope}). */
  tenancy: TenancyScope;
  http: HttpBinding<z.infer<I>>;
  /**
   * A decision that must come from a person, never from a model: not offered as an MCP tool (a model
   * driving agentd through MCP could otherwise approve the tool definition it is being fed, or mint
   * itself credentials). HTTP and the CLI still offer it, under its permission.
   */
  humanOnly?: true;
  /**
   * `actor` says who asked (the audit log of changes records it); `context` carries what an
   * interface offers beyond the input (MCP: progress notifications and cancellation).
   */
  handler(runtime: Runtime, input: z.infer<I>, actor: Actor, context?: OperationContext): Promise<z.infer<O>>;
}

/** What an interface may pass to a long operation besides its input. */
export interface OperationContext {
  /** Aborted when the caller cancels the request itself (MCP `notifications/cancelled`): stop the work. */
  cancelled?: AbortSignal;
  /** Called as the work advances (MCP `notifications/progress`). */
  progress?(update: ProgressUpdate): void;
}

/** One step of progress: a count that only grows, and what just happened. */
export interface ProgressUpdate {
  progress: number;
  message: string;
}

/** An operation whose result is a stream of events (SSE over HTTP, progress notifications over MCP). */
export interface StreamOperation<I extends z.ZodType = z.ZodType, E = unknown> {
  name: string;
  description: string;
  input: I;
  permission: Permission;
  tenancy: TenancyScope;
  http: HttpBinding;
  stream(
    runtime: Runtime,
    input: z.infer<I>,
    signal: AbortSignal,
  ): AsyncIterable<{ event: string; id?: string; data: E }>;
}

/** Defines an operation; the identity function that checks its shape and keeps its types. */
export function defineOperation<I extends z.ZodType, O extends z.ZodType>(
  operation: Operation<I, O>,
): Operation<I, O> {
  return operation;
}

/** Defines a streaming operation. */
export function defineStreamOperation<I extends z.ZodType, E>(
  operation: StreamOperation<I, E>,
): StreamOperation<I, E> {
  return operation;
}
