import type { z } from 'zod';
import { AgentdError, PolicyDeniedError } from '../core/errors.js';
import { validate } from '../core/validate.js';
import type { Runtime } from '../runtime/index.js';
import { requirePermission } from '../security/index.js';
import type { Actor } from '../security/index.js';
import type { Operation, OperationContext, StreamOperation } from './define-operation.js';
import { boundInput, checkRecordTenant } from './tenancy.js';
import './operation-error-codes.js';

/**
 * The one path every interface takes into an operation: checks the actor's permission and tenant,
 * validates the raw input against the operation's schema, runs the handler and returns its typed
 * result (checked against the output schema when `runtime.settings.validateOutputs` is on). A
 * refusal (403) is recorded in the audit log with the actor and the permission it lacked.
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
  const input = await admit(runtime, operation, raw, actor);
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

/** The same path for a streaming operation: permission, tenant, input validation, then its events. */
export function invokeStreamOperation<I extends z.ZodType, E>(
  runtime: Runtime,
  operation: StreamOperation<I, E>,
  raw: unknown,
  actor: Actor,
  signal: AbortSignal,
): AsyncIterable<{ event: string; id?: string; data: E }> {
  return {
    async *[Symbol.asyncIterator]() {
      const input = await admit(runtime, operation, raw, actor);
      yield* operation.stream(runtime, input, signal);
    },
  };
}

/** Permission, then the actor's tenant, then the input schema; a refusal is audited before it is thrown. */
async function admit<I extends z.ZodType>(
  runtime: Runtime,
  operation: Operation<I> | StreamOperation<I>,
  raw: unknown,
  actor: Actor,
): Promise<z.infer<I>> {
  try {
    requirePermission(actor, operation.permission, `call ${operation.name}`);
    const bound = boundInput(operation.tenancy, raw, actor, operation.name);
    const input = validate(operation.input, bound, { where: operation.name, code: 'request.invalid' });
    await checkRecordTenant(runtime, operation.tenancy, input, actor);
    return input;
  } catch (error) {
    if (error instanceof PolicyDeniedError) {
      await runtime.audit.record({
        actor,
        action: 'auth.forbidden',
        target: operation.name,
        tenant: actor.tenant ?? null,
        details: { code: error.code, permission: operation.permission },
      });
    }
    throw error;
  }
}
