export type { AgentdConfig, ConfigFile } from './config-schema.js';
export { ConfigFileSchema } from './config-schema.js';
export { loadConfig, loadConfigFromSystem, maskConfig } from './load-config.js';
export type { ConfigSource, LoadConfigOptions } from './load-config.js';
export { referencedSecrets, resolveSecretRefs } from './secret-refs.js';
export type { SecretRef, SecretTarget } from './secret-refs.js';
export { configFingerprint, configPathOf } from './config-fingerprint.js';
