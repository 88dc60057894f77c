import type { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import { validate } from '../core/validate.js';
import type { Runtime } from '../runtime/index.js';
import { requirePermission } from '../security/index.js';
import type { Actor } from '../security/index.js';
import type { Operation, OperationContext, StreamOperation } from './define-operation.js';
import './operation-error-codes.js';

/**
 * The one path every interface takes into an operation: checks the actor's permission, validates
 * the raw input against the operation's schema, runs the handler and returns its typed result
 * (checked against the output schema when `runtime.settings.validateOutputs` is on).
 */
export async function invokeOperation<I extends z.ZodType, O extends z.ZodType>(
  runtime: Runtime,
  operation: Operation<I, O>,
  raw: unknown,
  actor: Actor,
  context?: OperationContext,
): Promise<z.infer<O>> {
  return (await invokeOperationWithInput(runtime, operation, raw, actor, context)).output;
}

/** {@link invokeOperation}, also returning the validated input (e.g. for a status that depends on it). */
export async function invokeOperationWithInput<I extends z.ZodType, O extends z.ZodType>(
  runtime: Runtime,
  operation: Operation<I, O>,
  raw: unknown,
  actor: Actor,
  context?: OperationContext,
): Promise<{ input: z.infer<I>; output: z.infer<O> }> {
  requirePermission(actor, operation.permission, `call ${operation.name}`);
  const input = validate(operation.input, raw, { where: operation.name, code: 'request.invalid' });
  const output = await operation.handler(runtime, input, actor, context);
  if (runtime.settings.validateOutputs) checkOutput(operation, output);
  return { input, output };
}

/** Fails when a handler's result does not match its declared output schema: a bug, never the caller's. */
function checkOutput(operation: Operation, output: unknown): void {
  const checked = operation.output.safeParse(output);
  if (checked.success) return;
  throw new AgentdError({
    code: 'operation.invalid_output',
    message: `${operation.name} returned a result its output schema rejects: ${checked.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ')}`,
  });
}

/** The same path for a streaming operation: permission, input validation, then its stream of events. */
export function invokeStreamOperation<I extends z.ZodType, E>(
  runtime: Runtime,
  operation: StreamOperation<I, E>,
  raw: unknown,
  actor: Actor,
  signal: AbortSignal,
): AsyncIterable<{ event: string; id?: string; data: E }> {
  requirePermission(actor, operation.permission, `call ${operation.name}`);
  const input = validate(operation.input, raw, { where: operation.name, code: 'request.invalid' });
  return operation.stream(runtime, input, signal);
}
