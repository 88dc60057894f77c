import { createHash } from 'node:crypto';
import type { AgentdConfig } from './config-schema.js';

/**
 * Keys whose values are (or may carry) secrets: only whether they are set enters a fingerprint.
 * Matched on the key name anywhere in the hashed sections, so a section added later is covered too.
 */
const SECRET_KEY = /key|token|secret|password|authorization|credential|cookie/i;

/**
 * A fingerprint of the effective config a task's run depends on: which providers (by name, type and
 * address), the default model, agent defaults, memory on or off (and its tenant), quality and tools. Settings that do not change
 * what a resumed task would do (server, store, prices in the catalog, router tuning, budgets, run
 * queue) stay out, so editing them does not strand a task. Secret values never enter it: a secret
 * key counts only as set or not, and header values not at all. Key order does not matter.
 */
export function configFingerprint(config: AgentdConfig): string {
  const relevant = {
    providers: [...config.providers]
      .map((provider) => ({
        name: provider.name,
        type: provider.type,
        baseUrl: provider.baseUrl ?? null,
        local: provider.local ?? null,
        defaultModel: provider.defaultModel ?? null,
        apiKey: provider.apiKey !== undefined,
        headers: Object.keys(provider.headers ?? {}).sort(),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    defaultModel: config.models.default ?? null,
    agents: config.agents,
    // Whether memory is on changes the task's steps (its recall is one); its tuning does not.
    memory: { enabled: config.memory.enabled, tenant: config.memory.tenant },
    quality: config.quality,
    tools: config.tools,
  };
  return `sha256:${createHash('sha256').update(canonicalJson(relevant)).digest('hex')}`;
}

/** The config file a task records it was started with: the one of highest precedence, or null. */
export function configPathOf(config: Pick<AgentdConfig, 'files' | 'models'>): string | null {
  // The catalog file, when set, is listed with the config files but is not the project's config.
  return config.files.filter((file) => file !== config.models.catalogFile).at(-1) ?? null;
}

/** JSON with object keys sorted at every level and secret values replaced by whether they are set. */
function canonicalJson(value: unknown, key = ''): string {
  if (SECRET_KEY.test(key) && typeof value === 'string') return JSON.stringify(value.length > 0);
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, key)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item, name)}`).join(',')}}`;
}
