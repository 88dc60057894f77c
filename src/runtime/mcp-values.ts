import type { AgentdConfig } from '../config/index.js';
import { AgentdError } from '../core/errors.js';
import type { SecretVault } from '../security/index.js';
import '../tools/mcp-client/mcp-error-codes.js';

/**
 * Resolves an MCP server's `env`/`headers` value when the server is started: `env:VAR` from the
 * variables the config loader read, `secret:NAME` from the vault, anything else as written. A
 * missing one fails that server's start with the key and the fix, not the runtime.
 */
export function mcpValueResolver(
  config: Pick<AgentdConfig, 'mcpEnv'>,
  vault: Pick<SecretVault, 'get'>,
): (value: string, where: string) => Promise<string> {
  return async (value, where) => {
    if (value.startsWith('env:')) {
      const name = value.slice('env:'.length);
      const found = config.mcpEnv[name];
      if (found !== undefined) return found;
      throw new AgentdError({
        code: 'mcp.server_failed',
        message: `${where}: environment variable ${name} is not set`,
        details: { path: where },
      });
    }
    if (value.startsWith('secret:')) {
      const name = value.slice('secret:'.length);
      const found = await vault.get(name);
      if (found !== undefined) return found;
      throw new AgentdError({
        code: 'mcp.server_failed',
        message: `${where}: secret ${name} is not in the vault; set it with: agentd secrets set ${name}`,
        details: { path: where },
      });
    }
    return value;
  };
}
