// Uses the system resolver: a name nobody can resolve (RFC 6761 reserves .invalid) is blocked with
// that reason, not let through and not an error.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntimeOptions } from '../../testing/test-runtime.js';
import type { CliIo } from '../cli-io.js';
import { runCli } from '../main.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('agentd net check with the system resolver', () => {
  it('blocks a name that cannot be resolved, saying so, exit 1', async () => {
    const env = createTestRuntimeOptions();
    cleanups.push(() => env.cleanup());
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
    };
    const code = await runCli(['net', 'check', 'https://does-not-exist.invalid/'], {
      io,
      runtime: env.options,
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^blocked: cannot resolve 'does-not-exist\.invalid' \((ENOTFOUND|EAI_AGAIN|ESERVFAIL)\)\n$/,
    );
  });
});
