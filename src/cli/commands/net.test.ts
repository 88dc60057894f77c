import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntimeOptions } from '../../testing/test-runtime.js';
import type { CliIo } from '../cli-io.js';
import { runCli } from '../main.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function net(args: string[], config: Record<string, unknown> = {}) {
  const env = createTestRuntimeOptions({ config });
  cleanups.push(() => env.cleanup());
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(['net', 'check', ...args], { io, runtime: env.options });
  return { code, stdout, stderr };
}

describe('agentd net check', () => {
  it('prints allowed and exits 0 for a public name answered by --resolve (no DNS)', async () => {
    await expect(net(['https://example.com/', '--resolve', 'example.com=93.184.216.34'])).resolves.toEqual({
      code: 0,
      stdout: 'allowed\n',
      stderr: '',
    });
  });

  it('prints blocked with the reason and exits 1', async () => {
    const metadata = await net(['http://169.254.169.254/latest/meta-data/']);
    expect([metadata.code, metadata.stdout]).toEqual([
      1,
      'blocked: cloud metadata address 169.254.169.254 (link-local)\n',
    ]);
    const rebound = await net([
      'http://app.example/',
      '--resolve',
      'app.example=93.184.216.34',
      '--resolve',
      'APP.example=[::1]',
    ]);
    expect([rebound.code, rebound.stdout]).toEqual([
      1,
      "blocked: 'app.example' resolves to loopback address ::1\n",
    ]);
    const decimal = await net(['http://2130706433:80/']);
    expect([decimal.code, decimal.stdout]).toEqual([1, 'blocked: loopback address 127.0.0.1\n']);
    const scheme = await net(['gopher://example.com/']);
    expect([scheme.code, scheme.stdout]).toEqual([
      1,
      "blocked: scheme 'gopher' is not allowed (only http and https)\n",
    ]);
    const invalid = await net(['not a url']);
    expect([invalid.code, invalid.stdout]).toEqual([1, 'blocked: invalid URL\n']);
  });

  it('uses the security.net allowlist and ports of the config', async () => {
    const config = { security: { net: { allow: ['10.0.0.0/8'], ports: [8080] } } };
    await expect(net(['http://10.1.2.3:8080/'], config)).resolves.toMatchObject({
      code: 0,
      stdout: 'allowed\n',
    });
    await expect(net(['http://10.1.2.3/'], config)).resolves.toMatchObject({
      code: 1,
      stdout: 'blocked: port 80 is not allowed (allowed: 8080)\n',
    });
    await expect(net(['http://10.1.2.3:8080/'])).resolves.toMatchObject({ code: 1 });
  });

  it('prints JSON with --json, and refuses a malformed --resolve as a usage error', async () => {
    const json = await net(['http://example.com/', '--resolve', 'example.com=93.184.216.34', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ allowed: true, reason: null, address: '93.184.216.34' });
    const usage = await net(['http://example.com/', '--resolve', 'example.com']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--resolve 'example.com': expected HOST=IP");
    const notAnAddress = await net(['http://example.com/', '--resolve', 'example.com=nope']);
    expect(notAnAddress.code).toBe(2);
    expect(notAnAddress.stderr).toContain('not an IPv4 or IPv6 address');
  });
});
