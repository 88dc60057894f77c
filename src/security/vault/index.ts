export {
  createSecretVault,
  assertSecretName,
  MAX_SECRET_BYTES,
  SECRET_NAME_PATTERN,
} from './secret-vault.js';
export type { SecretVault, SecretVaultOptions } from './secret-vault.js';
export { generateMasterKey, loadMasterKey, parseMasterKey, readKeyFile } from './master-key.js';
export type { MasterKey, MasterKeySource } from './master-key.js';
export { keyIdOf } from './secret-cipher.js';
export { VAULT_ERROR_CODES } from './vault-error-codes.js';
