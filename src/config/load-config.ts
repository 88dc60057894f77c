import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { AgentdError } from '../core/errors.js';
import { validate } from '../core/validate.js';
import type { ResolvedProviderConfig } from '../models/models-config.js';
import { ConfigFileSchema } from './config-schema.js';
import type { AgentdConfig, ConfigFile } from './config-schema.js';
import { KNOWN_PROVIDERS, LOCAL_SERVER_URLS } from './known-providers.js';

/** A config file's path and text. */
export interface ConfigSource {
  path: string;
  text: string;
}

/** Inputs of {@link loadConfig}: everything it needs, so it stays a pure function. */
export interface LoadConfigOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Config files, lowest precedence first; later files override earlier ones key by key. */
  files: ConfigSource[];
  /** Working directory, for relative paths. */
  cwd: string;
  /** The user's home folder, for the default `~/.agentd`. */
  userHome: string;
  /** Programmatic overrides (e.g. from `createRuntime(config)`), applied last. */
  overrides?: Record<string, unknown>;
}

/** `AGENTD_HOME`, or `~/.agentd`. */
export function agentdHome(env: LoadConfigOptions['env'], userHome: string, cwd: string): string {
  const fromEnv = env['AGENTD_HOME'];
  return fromEnv ? resolve(cwd, fromEnv) : join(userHome, '.agentd');
}

/** Builds the effective config from files, environment and overrides. Pure: reads nothing itself. */
export function loadConfig(options: LoadConfigOptions): AgentdConfig {
  const { env, cwd } = options;
  const home = agentdHome(env, options.userHome, cwd);
  let merged: Record<string, unknown> = {};
  for (const file of options.files) merged = deepMerge(merged, parseFile(file));
  if (options.overrides) merged = deepMerge(merged, options.overrides);
  const where = options.files.length > 0 ? options.files.map((f) => f.path).join(', ') : 'config';
  const parsed = validate(ConfigFileSchema, merged, { where, code: 'config.invalid' });

  const envModel = env['AGENTD_MODEL'];
  const models = envModel ? { ...parsed.models, default: envModel } : parsed.models;
  const storePath = parsed.store.path
    ? resolvePath(parsed.store.path, cwd, options.userHome)
    : join(home, 'agentd.db');
  const authToken = parsed.server.authToken
    ? resolveSecret(parsed.server.authToken, env, 'server.authToken')
    : undefined;
  return {
    home,
    files: options.files.map((f) => f.path),
    providers: parsed.providers ? configuredProviders(parsed.providers, env) : providersFromEnv(env),
    models,
    store: { path: storePath },
    server: { host: parsed.server.host, port: parsed.server.port, ...(authToken ? { authToken } : {}) },
    agents: parsed.agents,
  };
}

/**
 * Reads the process environment and the config files that exist, then calls {@link loadConfig}.
 * Files: `$AGENTD_HOME/config.yaml`, then `./agentd.yaml` (which overrides it); `AGENTD_CONFIG`
 * names one file to use instead of both.
 */
export function loadConfigFromSystem(
  options: { cwd?: string; overrides?: Record<string, unknown> } = {},
): AgentdConfig {
  const env = process.env;
  const cwd = options.cwd ?? process.cwd();
  const userHome = homedir();
  const explicit = env['AGENTD_CONFIG'];
  let paths: string[];
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new AgentdError({
        code: 'config.not_found',
        message: `AGENTD_CONFIG names ${path}, which does not exist`,
      });
    }
    paths = [path];
  } else {
    paths = [join(agentdHome(env, userHome, cwd), 'config.yaml'), join(cwd, 'agentd.yaml')].filter((p) =>
      existsSync(p),
    );
  }
  const files = paths.map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  return loadConfig({
    env,
    files,
    cwd,
    userHome,
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
}

/** The config with every secret replaced by a mask, for printing. */
export function maskConfig(config: AgentdConfig): Record<string, unknown> {
  return {
    ...config,
    providers: config.providers.map((p) => (p.apiKey ? { ...p, apiKey: mask(p.apiKey) } : p)),
    server: config.server.authToken
      ? { ...config.server, authToken: mask(config.server.authToken) }
      : config.server,
  };
}

function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `****${secret.slice(-4)}`;
}

function parseFile(file: ConfigSource): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(file.text);
  } catch (error) {
    const line = error instanceof YAMLParseError && error.linePos ? `:${error.linePos[0].line}` : '';
    throw new AgentdError({
      code: 'config.parse_error',
      message: `${file.path}${line}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      cause: error,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentdError({
      code: 'config.invalid',
      message: `${file.path}: the top level must be a mapping of keys`,
    });
  }
  return value as Record<string, unknown>;
}

function configuredProviders(
  providers: NonNullable<ConfigFile['providers']>,
  env: LoadConfigOptions['env'],
): ResolvedProviderConfig[] {
  return Object.entries(providers).map(([name, entry]) => {
    const known = KNOWN_PROVIDERS.find((p) => p.name === name);
    const type =
      entry.type ??
      known?.type ??
      (entry.baseUrl || LOCAL_SERVER_URLS[name] ? 'openai-compatible' : undefined);
    if (!type) {
      throw new AgentdError({
        code: 'config.invalid',
        path: `providers.${name}.type`,
        message: `providers.${name}.type: required for a provider not named after a known one (openai, anthropic, google, openai-compatible, simulated)`,
      });
    }
    const baseUrl = entry.baseUrl ?? known?.baseUrl ?? LOCAL_SERVER_URLS[name];
    const keyRef = entry.apiKey ?? (known ? `env:${known.keyEnv[0]}` : undefined);
    // A key named explicitly must exist; a default key variable may be absent (e.g. a local server).
    const apiKey = keyRef
      ? resolveSecret(keyRef, env, `providers.${name}.apiKey`, entry.apiKey === undefined)
      : undefined;
    return {
      name,
      type,
      origin: 'config',
      ...(baseUrl ? { baseUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(entry.headers ? { headers: entry.headers } : {}),
    };
  });
}

function providersFromEnv(env: LoadConfigOptions['env']): ResolvedProviderConfig[] {
  const found: ResolvedProviderConfig[] = [];
  for (const known of KNOWN_PROVIDERS) {
    const variable = known.keyEnv.find((name) => env[name]);
    if (!variable) continue;
    found.push({
      name: known.name,
      type: known.type,
      origin: 'env',
      apiKey: env[variable] as string,
      ...(known.baseUrl ? { baseUrl: known.baseUrl } : {}),
    });
  }
  return found;
}

function resolveSecret(
  ref: string,
  env: LoadConfigOptions['env'],
  path: string,
  optional = false,
): string | undefined {
  const variable = ref.slice('env:'.length);
  const value = env[variable];
  if (value) return value;
  if (optional) return undefined;
  throw new AgentdError({
    code: 'config.invalid',
    path,
    message: `${path}: environment variable ${variable} is not set`,
  });
}

function resolvePath(path: string, cwd: string, userHome: string): string {
  if (path === ':memory:') return path;
  if (path.startsWith('~/')) return join(userHome, path.slice(2));
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
