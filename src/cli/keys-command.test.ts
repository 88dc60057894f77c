import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { TestRuntimeOptions } from '../testing/test-runtime.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup(): TestRuntimeOptions {
  const built = createTestRuntimeOptions();
  cleanups.push(() => built.cleanup());
  return built;
}

async function cli(
  env: TestRuntimeOptions,
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(argv, { io, runtime: env.options });
  return { code, stdout, stderr };
}

describe('agentd keys', () => {
  it('creates a key printed once on stdout, lists it without the secret, and revokes it by name', async () => {
    const env = setup();
    const created = await cli(env, [
      'keys',
      'create',
      '--name',
      'ci',
      '--role',
      'operator',
      '--tenant',
      't1',
      '--expires',
      '30d',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^agd_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain("created key 'ci'");
    expect(created.stderr).toContain('tenant t1');

    const listed = await cli(env, ['keys', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('ci');
    expect(listed.stdout).toContain(key.slice(0, 12));
    expect(listed.stdout).toContain('operator');
    expect(listed.stdout).not.toContain(key.slice(13));
    const json = await cli(env, ['keys', 'list', '--json']);
    expect(json.stdout).not.toContain(key.slice(13));

    // The key works against the runtime until it is revoked.
    const runtime = await createRuntime(env.options);
    try {
      expect(await runtime.keys.authenticate(key)).toMatchObject({ id: 'key:ci', tenant: 't1' });
    } finally {
      await runtime.close();
    }
    const revoked = await cli(env, ['keys', 'revoke', 'ci']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toContain("revoked key 'ci'");
    expect((await cli(env, ['keys', 'list'])).stderr).toContain('no API keys');
    expect((await cli(env, ['keys', 'list', '--all'])).stdout).toContain('ci');
    const again = await cli(env, ['keys', 'revoke', 'ci']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('key.not_found');
  });

  it('refuses an unknown role and a malformed lifetime as usage errors', async () => {
    const env = setup();
    const role = await cli(env, ['keys', 'create', '--name', 'x', '--role', 'root']);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('role');
    const expires = await cli(env, [
      'keys',
      'create',
      '--name',
      'x',
      '--role',
      'viewer',
      '--expires',
      '30 days',
    ]);
    expect(expires.code).toBe(2);
    expect(expires.stderr).toContain('expires');
  });
});
