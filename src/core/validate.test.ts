import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentdError } from './errors.js';
import './../config/config-error-codes.js';
import { validate } from './validate.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as AgentdError).message;
  }
  throw new Error('expected a validation error');
}

describe('validate', () => {
  it('lists the valid values of an enum inside a union it refuses', () => {
    const Status = z.enum(['queued', 'running', 'succeeded']);
    const schema = z.strictObject({ status: z.union([Status, z.array(Status)]).optional() });
    const message = messageOf(() =>
      validate(schema, { status: 'done' }, { where: 'q', code: 'config.invalid' }),
    );
    expect(message).toContain('status: ');
    for (const value of ['queued', 'running', 'succeeded']) expect(message).toContain(value);
  });

  it('keeps the message of a union with no enum branch', () => {
    const schema = z.strictObject({ n: z.union([z.number(), z.boolean()]) });
    expect(messageOf(() => validate(schema, { n: 'x' }, { where: 'q', code: 'config.invalid' }))).toBe(
      'q: n: Invalid input',
    );
  });
});
