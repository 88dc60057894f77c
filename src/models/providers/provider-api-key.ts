import { AgentdError } from '../../core/errors.js';
import '../../config/config-error-codes.js';
import type { ResolvedProviderConfig } from '../models-config.js';

/**
 * The API key to hand an AI SDK provider. Always a string, because given `undefined` the AI SDK
 * reads its own environment variable, and only config loading may read the environment. A
 * provider with a custom baseUrl may need no key (a local or proxy server), so it gets `''`; a
 * hosted API without a key is a configuration error, reported before any call is made.
 */
export function providerApiKey(config: ResolvedProviderConfig, keyHint: string): string {
  if (config.apiKey !== undefined) return config.apiKey;
  if (config.baseUrl !== undefined) return '';
  throw new AgentdError({
    code: 'config.invalid',
    path: `providers.${config.name}.apiKey`,
    message: `providers.${config.name}.apiKey: the ${config.type} provider '${config.name}' has no API key; set ${keyHint} or apiKey: env:VAR_NAME in the config`,
  });
}
