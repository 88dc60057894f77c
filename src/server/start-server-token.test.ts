import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { startServer } from './start-server.js';

// What startServer decides about the token before it binds (nothing here listens).
let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<AgentdError> {
  const error = await promise.then(
    (server: unknown) => server,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AgentdError);
  return error as AgentdError;
}

describe('startServer and the strength of the token', () => {
  it.each([
    'x',
    'correct-horse-battery',
    'a'.repeat(200),
    'abababababababababababababababababababababababab',
  ])('refuses the weak token %s on a network bind, saying how to make a strong one', async (token) => {
    t = await createTestRuntime();
    const error = await rejection(
      startServer({ runtime: t.runtime, host: '0.0.0.0', port: 0, authToken: token }),
    );
    expect(error.code).toBe('server.weak_token');
    expect(error.message).toContain('openssl rand -base64 32');
    expect(error.message).toContain('agentd keys create');
    expect(error.message).not.toContain(token);
  });
});
