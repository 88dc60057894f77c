import type { AgentdConfig } from '../config/index.js';
import { loadConfigFromSystem, referencedSecrets, resolveSecretRefs } from '../config/index.js';
import { systemClock } from '../core/clock.js';
import { recordChange } from '../pipeline/index.js';
import { adminActor, createSecretVault } from '../security/index.js';
import type { Actor, SecretVault } from '../security/index.js';
import { silentLogger } from '../core/logger.js';
import { openStores } from './open-stores.js';

/** The vault opened on its own (for `agentd secrets`), and how to close its database. */
export interface OpenedSecretVault {
  vault: SecretVault;
  close(): Promise<void>;
}

/**
 * Opens the vault of the configured database without the rest of the runtime: managing secrets
 * must work while the config refers to secrets not yet set, or a provider is unreachable. Every
 * change is an audit event naming the secret and `actor` (default `cli`), never its value.
 */
export async function openSecretVault(
  options: { loadedConfig?: AgentdConfig; actor?: Actor } = {},
): Promise<OpenedSecretVault> {
  const config = options.loadedConfig ?? loadConfigFromSystem();
  // The configured database (SQLite file or Postgres), whatever memory says: the vault needs none.
  const { stores } = await openStores(config, silentLogger, { memory: false });
  const vault = createSecretVault({ store: stores.secrets, keys: config.vault, clock: systemClock });
  const audit = (action: string, target: string, details: Record<string, string | number | boolean>) =>
    recordChange(
      { audit: stores.audit, clock: systemClock },
      { actor: options.actor ?? adminActor('cli'), action, target, tenant: null, details },
    );
  return {
    vault: {
      ...vault,
      async set(name, value) {
        const result = await vault.set(name, value);
        await audit('secret.set', name, { replaced: result.replaced });
        return result;
      },
      async remove(name) {
        const removed = await vault.remove(name);
        if (removed) await audit('secret.remove', name, {});
        return removed;
      },
      async rotateKey(rotation) {
        const result = await vault.rotateKey(rotation);
        await audit('secret.rotate_key', 'vault', {
          reencrypted: result.reencrypted,
          keySource: result.keySource,
        });
        return result;
      },
    },
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
