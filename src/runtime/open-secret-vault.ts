import type { AgentdConfig } from '../config/index.js';
import { loadConfigFromSystem, referencedSecrets, resolveSecretRefs } from '../config/index.js';
import { systemClock } from '../core/clock.js';
import { createSecretVault } from '../security/index.js';
import type { SecretVault } from '../security/index.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';

/** The vault opened on its own (for `agentd secrets`), and how to close its database. */
export interface OpenedSecretVault {
  vault: SecretVault;
  close(): Promise<void>;
}

/**
 * Opens the vault of the configured database without the rest of the runtime: managing secrets
 * must work while the config refers to secrets not yet set, or a provider is unreachable.
 */
export function openSecretVault(options: { loadedConfig?: AgentdConfig } = {}): OpenedSecretVault {
  const config = options.loadedConfig ?? loadConfigFromSystem();
  const stores = openSqliteStores({ path: config.store.path });
  return {
    vault: createSecretVault({ store: stores.secrets, keys: config.vault, clock: systemClock }),
    close: () => stores.close(),
  };
}

/** The config with its `secret:` references filled in from `vault` (missing ones become problems). */
export async function withVaultSecrets(config: AgentdConfig, vault: SecretVault): Promise<AgentdConfig> {
  const names = referencedSecrets(config);
  if (names.length === 0) return config;
  const values = new Map<string, string>();
  for (const name of names) {
    const value = await vault.get(name);
    if (value !== undefined) values.set(name, value);
  }
  return resolveSecretRefs(config, values);
}
