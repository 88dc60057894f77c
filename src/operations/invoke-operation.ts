import { validate } from '../core/validate.js';
import type { Runtime } from '../runtime/index.js';
import type { Caller, Operation } from './define-operation.js';
import './operation-error-codes.js';

/** Validates raw input against the operation's schema and runs it: the one path every interface uses. */
export async function invokeOperation<O extends Operation>(
  runtime: Runtime,
  operation: O,
  raw: unknown,
  caller: Caller = { actor: 'api' },
): Promise<unknown> {
  const input = validate(operation.input, raw, { where: operation.name, code: 'request.invalid' });
  return operation.handler(runtime, input, caller);
}
