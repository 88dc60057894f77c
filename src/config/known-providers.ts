import type { ResolvedProviderConfig } from '../models/models-config.js';

/** A provider agentd can configure from an API key in the environment alone. */
export interface KnownProvider {
  name: string;
  type: ResolvedProviderConfig['type'];
  /** Environment variables that hold its key, in order of preference. */
  keyEnv: string[];
  baseUrl?: string;
  /**
   * Its default model when `models.default` is unset. Needed for openai-compatible services, whose
   * type has no default; openai, anthropic and google use the registry's per-type defaults.
   */
  defaultModel?: string;
}

/**
 * Providers detected from environment keys, in detection order. OpenAI-compatible services
 * are listed with their public base URL so a key alone is enough.
 */
export const KNOWN_PROVIDERS: readonly KnownProvider[] = [
  { name: 'openai', type: 'openai', keyEnv: ['OPENAI_API_KEY'] },
  { name: 'anthropic', type: 'anthropic', keyEnv: ['ANTHROPIC_API_KEY'] },
  { name: 'google', type: 'google', keyEnv: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GEMINI_API_KEY'] },
  {
    name: 'mistral',
    type: 'openai-compatible',
    keyEnv: ['MISTRAL_API_KEY'],
    baseUrl: 'https://api.mistral.ai/v1',
    defaultModel: 'mistral-small-latest',
  },
  {
    name: 'groq',
    type: 'openai-compatible',
    keyEnv: ['GROQ_API_KEY'],
    baseUrl: 'https://api.groq.com/openai/v1',
    defaultModel: 'llama-3.3-70b-versatile',
  },
  {
    name: 'openrouter',
    type: 'openai-compatible',
    keyEnv: ['OPENROUTER_API_KEY'],
    baseUrl: 'https://openrouter.ai/api/v1',
    defaultModel: 'openai/gpt-4o-mini',
  },
  {
    name: 'together',
    type: 'openai-compatible',
    keyEnv: ['TOGETHER_API_KEY'],
    baseUrl: 'https://api.together.xyz/v1',
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
  },
  {
    name: 'deepseek',
    type: 'openai-compatible',
    keyEnv: ['DEEPSEEK_API_KEY'],
    baseUrl: 'https://api.deepseek.com/v1',
    defaultModel: 'deepseek-chat',
  },
];

/** Default base URLs for local OpenAI-compatible servers configured by name only. */
export const LOCAL_SERVER_URLS: Readonly<Record<string, string>> = {
  ollama: 'http://127.0.0.1:11434/v1',
  lmstudio: 'http://127.0.0.1:1234/v1',
  vllm: 'http://127.0.0.1:8000/v1',
  llamacpp: 'http://127.0.0.1:8080/v1',
};

/**
 * The known providers whose key variable is set (non-empty) in `env` (default: the process
 * environment), each with that variable's NAME. The values are never returned.
 */
export function providerKeysInEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): { provider: KnownProvider; variable: string }[] {
  return KNOWN_PROVIDERS.flatMap((provider) => {
    const variable = provider.keyEnv.find((name) => (env[name] ?? '') !== '');
    return variable === undefined ? [] : [{ provider, variable }];
  });
}
