import { describe, expect, it } from 'vitest';
import { mcpValueResolver } from './mcp-values.js';

describe('mcpValueResolver', () => {
  const resolve = mcpValueResolver(
    { mcpEnv: { GH_TOKEN: 'ghp-1' } },
    { get: async (name) => (name === 'FILES_KEY' ? 'vault-value' : undefined) },
  );

  it('resolves env: from the variables read, secret: from the vault, and keeps literal text', async () => {
    expect(await resolve('env:GH_TOKEN', 'mcp.servers.s.env.T')).toBe('ghp-1');
    expect(await resolve('secret:FILES_KEY', 'mcp.servers.s.env.K')).toBe('vault-value');
    expect(await resolve('debug', 'mcp.servers.s.env.LOG_LEVEL')).toBe('debug');
  });

  it('names the key and the fix when a reference has no value', async () => {
    await expect(resolve('env:MISSING', 'mcp.servers.s.env.T')).rejects.toMatchObject({
      code: 'mcp.server_failed',
      message: 'mcp.servers.s.env.T: environment variable MISSING is not set',
    });
    await expect(resolve('secret:NOPE', 'mcp.servers.web.headers.Authorization')).rejects.toMatchObject({
      message:
        'mcp.servers.web.headers.Authorization: secret NOPE is not in the vault; set it with: agentd secrets set NOPE',
    });
  });
});
