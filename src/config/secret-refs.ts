import type { AgentdConfig } from './config-schema.js';

/** Where a `secret:NAME` reference sits in the config, and what its value becomes. */
export type SecretTarget =
  | { kind: 'server-token' }
  | { kind: 'provider-api-key'; provider: string }
  | { kind: 'provider-header'; provider: string; header: string };

/** A `secret:NAME` reference found while loading the config. */
export interface SecretRef {
  /** The config key, e.g. `providers.openai.apiKey`. */
  path: string;
  /** The vault secret it names. */
  secret: string;
  target: SecretTarget;
}

const PREFIX = 'secret:';

/** Whether a reference names the vault (`secret:NAME`) rather than the environment. */
export function isVaultRef(ref: string): boolean {
  return ref.startsWith(PREFIX);
}

/** The reference record for `ref` (a `secret:NAME` string) at `path`. */
export function vaultRef(path: string, ref: string, target: SecretTarget): SecretRef {
  return { path, secret: ref.slice(PREFIX.length), target };
}

/** The names of the secrets the config refers to, each once. */
export function referencedSecrets(config: AgentdConfig): string[] {
  return [...new Set(config.secretRefs.map((ref) => ref.secret))];
}

/**
 * The config with its `secret:` references replaced by the vault's values. A secret that is not in
 * the vault is a problem naming the key and the secret (like an unset `env:` variable): the
 * provider stays listed and fails with that message when used; the server refuses to start.
 * Pure: `values` comes from the vault, which the runtime opened.
 */
export function resolveSecretRefs(config: AgentdConfig, values: ReadonlyMap<string, string>): AgentdConfig {
  if (config.secretRefs.length === 0) return config;
  const problems = [...config.problems];
  const server = { ...config.server };
  const providers = config.providers.map((p) => ({
    ...p,
    ...(p.headers ? { headers: { ...p.headers } } : {}),
  }));
  for (const ref of config.secretRefs) {
    const value = values.get(ref.secret);
    if (value === undefined) {
      const message = `${ref.path}: secret ${ref.secret} is not in the vault; set it with: agentd secrets set ${ref.secret}`;
      if (ref.target.kind === 'server-token') {
        server.authTokenMissing = `${PREFIX}${ref.secret}`;
        problems.push(`${message}; agentd serve will refuse to start`);
      } else {
        problems.push(message);
        const provider = providers.find((p) => p.name === (ref.target as { provider: string }).provider);
        if (provider) provider.unavailable = message;
      }
      continue;
    }
    const target = ref.target;
    if (target.kind === 'server-token') server.authToken = value;
    else {
      const provider = providers.find((p) => p.name === target.provider);
      if (provider === undefined) continue;
      if (target.kind === 'provider-api-key') provider.apiKey = value;
      else provider.headers = { ...provider.headers, [target.header]: value };
    }
  }
  return { ...config, server, providers, problems };
}
