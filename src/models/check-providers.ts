import type { LanguageModel, ModelProvider } from './language-model.js';
import type { ResolvedProviderConfig } from './models-config.js';

/** How a check came out: fine, worth a look, or something that will make calls fail. */
export type CheckLevel = 'ok' | 'warn' | 'fail';

/** What `agentd doctor` says about one configured provider. */
export interface ProviderCheck {
  name: string;
  type: string;
  level: CheckLevel;
  detail: string;
  fix?: string;
  /** With a live check: the model called and how long its 1-token answer took, ms. */
  model?: string;
  latencyMs?: number;
}

/** A provider as the runtime set it up. */
export interface CheckedProvider {
  config: ResolvedProviderConfig;
  provider: ModelProvider;
  available: boolean;
}

/** Options of {@link checkProviders}. */
export interface CheckProvidersOptions {
  providers: readonly CheckedProvider[];
  /** Problems found when the config was loaded (`providers.NAME.apiKey: …` ones are a provider's). */
  problems: readonly string[];
  /** The model (its provider-specific name) a live check calls for a provider; undefined: none known. */
  modelFor(provider: string): string | undefined;
  /** Make one 1-token call per provider (costs a token or two; never in the default doctor). */
  live: boolean;
  /** How long a reachability probe or a live call may take, ms. */
  timeoutMs: number;
  /** Milliseconds now (latencies). */
  now(): number;
  /** Whether a provider's calls stay on this machine (its base URL is probed without --live). */
  isLocal(config: ResolvedProviderConfig): boolean;
}

/**
 * Checks each configured provider: its key (naming the variable when it is missing), a local
 * server's reachability (`GET /models`, without sending anything to a third party), and with `live`
 * one 1-token call straight to the provider (not through the router, budget or ledger: a diagnosis
 * must work when those would refuse), reporting its latency.
 */
export async function checkProviders(options: CheckProvidersOptions): Promise<ProviderCheck[]> {
  // The simulated fallback is no provider to check (the default-model line says when it is all there is).
  return Promise.all(
    options.providers.filter((p) => p.config.type !== 'simulated').map((p) => checkOne(p, options)),
  );
}

async function checkOne(checked: CheckedProvider, options: CheckProvidersOptions): Promise<ProviderCheck> {
  const { config } = checked;
  const base = { name: config.name, type: config.type };
  const problems = options.problems.filter((p) => p.startsWith(`providers.${config.name}.`));
  const missing = config.unavailable ?? problems[0];
  if (missing !== undefined) {
    const variable =
      /environment variable (\S+) is not set/.exec(missing)?.[1] ?? /set (\S+?)( or|,|$)/.exec(missing)?.[1];
    return {
      ...base,
      level: 'fail',
      detail: missing,
      fix: variable
        ? `export ${variable}=… (or store it: agentd secrets set NAME, then apiKey: secret:NAME)`
        : `fix providers.${config.name} in agentd.yaml`,
    };
  }
  if (!checked.available) {
    return { ...base, level: 'fail', detail: 'could not be set up (see the log with --log-level debug)' };
  }
  const where = config.baseUrl ?? 'its default endpoint';
  const key = config.apiKey ? 'key set' : 'no key';
  const local = options.isLocal(config);
  const describe = `${config.type} at ${where}, ${key}${config.origin === 'config' ? '' : ` (${config.origin})`}`;
  if (options.live) return liveCheck(checked, options, base, describe);
  if (local && config.baseUrl) {
    const reach = await reachable(config.baseUrl, config.apiKey, options.timeoutMs);
    return reach.ok
      ? {
          ...base,
          level: 'ok',
          detail: `${describe}; reachable${reach.models !== undefined ? `, ${reach.models} models` : ''}`,
        }
      : unreachable(base, describe, reach.reason, config.name);
  }
  return {
    ...base,
    level: 'ok',
    detail: `${describe}; not contacted (agentd doctor --live makes one 1-token call)`,
  };
}

async function liveCheck(
  checked: CheckedProvider,
  options: CheckProvidersOptions,
  base: { name: string; type: string },
  describe: string,
): Promise<ProviderCheck> {
  // A local server that does not answer at all: say so (not "no model known", which its listing would say).
  const { config } = checked;
  if (options.isLocal(config) && config.baseUrl) {
    const reach = await reachable(config.baseUrl, config.apiKey, options.timeoutMs);
    if (!reach.ok) return unreachable(base, describe, reach.reason, config.name);
  }
  // An OpenAI-compatible server with no model in the catalog: the first one it lists.
  const model =
    options.modelFor(checked.config.name) ??
    (checked.config.baseUrl
      ? await firstListedModel(checked.config.baseUrl, checked.config.apiKey, options.timeoutMs)
      : undefined);
  if (model === undefined) {
    return {
      ...base,
      level: 'warn',
      detail: `${describe}; no model known to call`,
      fix: 'add one to models.catalog',
    };
  }
  const started = options.now();
  try {
    const language: LanguageModel = checked.provider.languageModel(model);
    await language.doGenerate({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'Reply with OK.' }] }],
      maxOutputTokens: 1,
      abortSignal: AbortSignal.timeout(options.timeoutMs),
    });
    const latencyMs = Math.round(options.now() - started);
    return {
      ...base,
      level: 'ok',
      detail: `${describe}; ${model} answered in ${latencyMs} ms`,
      model,
      latencyMs,
    };
  } catch (error) {
    return {
      ...base,
      level: 'fail',
      detail: `${describe}; a 1-token call to ${model} failed: ${reasonOf(error)}`,
      fix: liveFix(checked.config, statusOf(error), options.isLocal(checked.config), model),
      model,
    };
  }
}

/**
 * `GET {baseUrl}/models` on a local server. A plain fetch, not the SSRF-guarded one: the URL is the
 * user's own configuration (the one the provider itself calls), and loopback is the point.
 */
async function reachable(
  baseUrl: string,
  apiKey: string | undefined,
  timeoutMs: number,
): Promise<{ ok: true; models?: number; first?: string } | { ok: false; reason: string }> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/models`, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
    });
    if (!response.ok) return { ok: false, reason: `HTTP ${response.status}` };
    const body = (await response.json().catch(() => undefined)) as { data?: { id?: unknown }[] } | undefined;
    if (!Array.isArray(body?.data)) return { ok: true };
    const first = body.data.find((entry) => typeof entry?.id === 'string')?.id as string | undefined;
    return { ok: true, models: body.data.length, ...(first ? { first } : {}) };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

async function firstListedModel(
  baseUrl: string,
  apiKey: string | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  const listed = await reachable(baseUrl, apiKey, timeoutMs);
  return listed.ok ? listed.first : undefined;
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  return (cause ?? error.message.split('\n')[0] ?? 'failed').slice(0, 200);
}

/** A local server that did not answer, with what to do about it. */
function unreachable(
  base: { name: string; type: string },
  describe: string,
  reason: string,
  name: string,
): ProviderCheck {
  return {
    ...base,
    level: 'fail',
    detail: `${describe}; not reachable: ${reason}`,
    fix: `start the server (e.g. ollama serve), or fix providers.${name}.baseUrl`,
  };
}

/** What to do about a failed live call: by whether and how the provider answered. */
function liveFix(
  config: CheckedProvider['config'],
  status: number | undefined,
  local: boolean,
  model: string,
): string {
  const name = config.name;
  if (status === 401 || status === 403) return 'the key was refused: check it';
  if (status === 404) return `the provider does not know ${model}: fix the model name or providers.${name}`;
  if (status !== undefined) return `the provider answered ${status}: check providers.${name}`;
  // No HTTP answer at all: nothing listening, or the network.
  return local && config.baseUrl
    ? `start the server (e.g. ollama serve), or fix providers.${name}.baseUrl`
    : `check providers.${name}.baseUrl and that this machine can reach it`;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
