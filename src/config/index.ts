export type { AgentdConfig, ConfigFile } from './config-schema.js';
export { ConfigFileSchema } from './config-schema.js';
export { loadConfig, loadConfigFromSystem, maskConfig } from './load-config.js';
export type { ConfigSource, LoadConfigOptions } from './load-config.js';
export { configFingerprint, configPathOf } from './config-fingerprint.js';
