import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { startServer } from './start-server.js';

// What startServer decides before it binds; the server on a real socket is in start-server.e2e.test.ts.
let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<AgentdError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AgentdError);
  return error as AgentdError;
}

describe('startServer', () => {
  it('refuses to bind beyond loopback without an auth token', async () => {
    t = await createTestRuntime();
    const error = await rejection(startServer({ runtime: t.runtime, host: '0.0.0.0', port: 0 }));
    expect(error.code).toBe('server.auth_required');
    expect(error.message).toContain('0.0.0.0');
  });
});
