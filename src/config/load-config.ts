import { DbosConfigSchema } from '../executor/executor-config.js';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeParseError } from '../core/yaml-error.js';
import { AgentdError } from '../core/errors.js';
import './config-error-codes.js';
import { validate } from '../core/validate.js';
import { z } from 'zod';
import { CatalogEntryConfigSchema, ModelsConfigSchema, SECRET_REF_PATTERN } from '../models/models-config.js';
import type { ResolvedProviderConfig } from '../models/models-config.js';
import { ConfigFileSchema } from './config-schema.js';
import type { AgentdConfig, ConfigFile } from './config-schema.js';
import { KNOWN_PROVIDERS, LOCAL_SERVER_URLS } from './known-providers.js';
import { isVaultRef, vaultRef } from './secret-refs.js';
import { mcpEnvReferences } from '../tools/mcp-client-config.js';
import { StoreConfigSchema } from '../store/store-config.js';
import type { SecretRef } from './secret-refs.js';

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
  /** Programmatic overrides (e.g. `createRuntime({ config })`), applied last. */
  overrides?: Record<string, unknown>;
  /** The text of the file `models.catalogFile` names, when it is set (see loadConfigFromSystem). */
  catalogFile?: ConfigSource;
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
  const parsed = validate(ConfigFileSchema, merged, { where, code: 'config.invalid', once: true });

  const envModel = env['AGENTD_MODEL'];
  // Checked like models.default, but named after the variable: it is not in any file.
  if (envModel)
    validate(ModelsConfigSchema.shape.default, envModel, { where: 'AGENTD_MODEL', code: 'config.invalid' });
  const models = withCatalogFile(
    envModel ? { ...parsed.models, default: envModel } : parsed.models,
    options.catalogFile,
    (path) => resolvePath(path, cwd, options.userHome),
  );
  const storePath = parsed.store.path
    ? resolvePath(parsed.store.path, cwd, options.userHome)
    : join(home, 'agentd.db');
  // The environment wins over files, as AGENTD_MODEL does: a deployment sets the database per machine.
  const envStoreUrl = env['AGENTD_STORE_URL'];
  const storeUrl = envStoreUrl
    ? validate(StoreConfigSchema.shape.url, envStoreUrl, {
        where: 'AGENTD_STORE_URL',
        code: 'config.invalid',
      })
    : parsed.store.url;
  // Secrets only some commands need are recorded as problems rather than thrown, so a missing
  // server token or provider key does not stop `agentd tasks list` or runs on other providers.
  const problems: string[] = [];
  const secretRefs: SecretRef[] = [];
  const server: AgentdConfig['server'] = {
    host: parsed.server.host,
    port: parsed.server.port,
    backlog: parsed.server.backlog,
    allowedOrigins: parsed.server.allowedOrigins,
  };
  if (parsed.server.authToken && isVaultRef(parsed.server.authToken)) {
    secretRefs.push(vaultRef('server.authToken', parsed.server.authToken, { kind: 'server-token' }));
  } else if (parsed.server.authToken) {
    const authToken = resolveSecret(parsed.server.authToken, env);
    if (authToken) server.authToken = authToken;
    else {
      server.authTokenMissing = secretVariable(parsed.server.authToken);
      problems.push(
        `server.authToken: environment variable ${server.authTokenMissing} is not set; agentd serve will refuse to start`,
      );
    }
  }
  return {
    home,
    files: [...options.files.map((f) => f.path), ...(options.catalogFile ? [options.catalogFile.path] : [])],
    providers: parsed.providers
      ? configuredProviders(parsed.providers, env, problems, secretRefs)
      : providersFromEnv(env),
    models,
    store: { path: storePath, ...(storeUrl ? { url: storeUrl } : {}) },
    server,
    agents: {
      ...parsed.agents,
      projectDir: resolvePath(parsed.agents.projectDir ?? '.', cwd, options.userHome),
    },
    budget: parsed.budget,
    // The DBOS URL carries a password and the worker id differs per process: both from the environment.
    executor: {
      ...parsed.executor,
      dbos: {
        ...parsed.executor.dbos,
        ...(env['AGENTD_DBOS_URL'] ? { url: env['AGENTD_DBOS_URL'] } : {}),
        ...(env['AGENTD_WORKER_ID']
          ? {
              executorId: validate(DbosConfigSchema.shape.executorId, env['AGENTD_WORKER_ID'], {
                where: 'AGENTD_WORKER_ID',
                code: 'config.invalid',
              }),
            }
          : {}),
      },
    },
    router: parsed.router,
    memory: parsed.memory,
    quality: { ...parsed.quality, rubricDir: resolvePath(parsed.quality.rubricDir, cwd, options.userHome) },
    // Development and tests check operation results against their schemas.
    operations: env['AGENTD_VALIDATE_OUTPUTS'] === '1' ? { validateOutputs: true } : parsed.operations,
    security: parsed.security,
    tools: parsed.tools,
    log: parsed.log,
    mcp: parsed.mcp,
    mcpEnv: Object.fromEntries(
      mcpEnvReferences(parsed.mcp).flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])),
    ),
    agentEnv: Object.fromEntries(
      parsed.agents.allowedEnv.flatMap((name) =>
        env[name] !== undefined ? [[name, env[name] as string]] : [],
      ),
    ),
    vault: {
      ...(env['AGENTD_MASTER_KEY'] ? { masterKey: env['AGENTD_MASTER_KEY'] } : {}),
      keyFile: join(home, 'secrets.key'),
    },
    secretRefs,
    // Command checks run with this environment, not agentd's: API keys must not reach a test command.
    commandEnv: Object.fromEntries(
      COMMAND_ENV.flatMap((name) => (env[name] !== undefined ? [[name, env[name] as string]] : [])),
    ),
    problems,
  };
}

/** The variables a `command` check inherits (the rest of agentd's environment, keys included, stays out). */
const COMMAND_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'TERM'];

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
  const files = paths.map((path) => ({ path, text: readConfigFile(path, 'config file') }));
  const base: LoadConfigOptions = {
    env,
    files,
    cwd,
    userHome,
    ...(options.overrides ? { overrides: options.overrides } : {}),
  };
  const config = loadConfig(base);
  const catalogPath = config.models.catalogFile;
  if (catalogPath === undefined) return config;
  if (!existsSync(catalogPath)) {
    throw new AgentdError({
      code: 'config.not_found',
      path: 'models.catalogFile',
      message: `models.catalogFile names ${catalogPath}, which does not exist`,
    });
  }
  return loadConfig({
    ...base,
    catalogFile: { path: catalogPath, text: readConfigFile(catalogPath, 'models.catalogFile') },
  });
}

/** A config file's text; a folder where a file belongs says so, not "EISDIR". */
function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AgentdError({
      code: 'config.not_found',
      message:
        code === 'EISDIR'
          ? `${what} ${path} is a folder, not a file; name the YAML file inside it`
          : `${what} ${path} cannot be read (${code ?? String(error)})`,
    });
  }
}

/**
 * Resolves `models.catalogFile` to an absolute path and, when its text was read, puts its entries
 * before the inline `models.catalog` ones (so inline entries override the file's).
 */
function withCatalogFile(
  models: AgentdConfig['models'],
  source: ConfigSource | undefined,
  resolveFile: (path: string) => string,
): AgentdConfig['models'] {
  if (models.catalogFile === undefined) return models;
  const catalogFile = resolveFile(models.catalogFile);
  if (source === undefined || source.path !== catalogFile) return { ...models, catalogFile };
  const entries = validate(z.array(CatalogEntryConfigSchema), parseYamlText(source) ?? [], {
    where: source.path,
    code: 'config.invalid',
  });
  return { ...models, catalogFile, catalog: [...entries, ...models.catalog] };
}

/**
 * The config with every secret replaced by a mask, for printing (and for `GET /v1/config`). A value
 * from the vault shows as its reference (`secret:NAME`), not even its last characters. The
 * environment `command` checks inherit (PATH, HOME, …) is left out: it describes the server's
 * machine, not the configuration.
 */
export function maskConfig(config: AgentdConfig): Record<string, unknown> {
  const { commandEnv: _environment, mcpEnv: _mcpEnv, agentEnv: _agentEnv, ...shown } = config;
  const fromVault = (path: string): string | undefined => {
    const ref = config.secretRefs.find((r) => r.path === path);
    return ref ? `secret:${ref.secret}` : undefined;
  };
  return {
    ...shown,
    providers: config.providers.map((p) => ({
      ...p,
      ...(p.apiKey ? { apiKey: fromVault(`providers.${p.name}.apiKey`) ?? mask(p.apiKey) } : {}),
      // Every header, not only credential-looking names: a value may be a secret under any name.
      ...(p.headers
        ? {
            headers: Object.fromEntries(
              Object.keys(p.headers).map((name) => [
                name,
                fromVault(`providers.${p.name}.headers.${name}`) ?? '****',
              ]),
            ),
          }
        : {}),
    })),
    // A password in the database URL is masked like any other credential.
    store: config.store.url ? { ...config.store, url: maskUrlPassword(config.store.url) } : config.store,
    server: config.server.authToken
      ? { ...config.server, authToken: fromVault('server.authToken') ?? mask(config.server.authToken) }
      : config.server,
    // Literal header values may be credentials; references (env:, secret:) say nothing secret.
    mcp: {
      servers: Object.fromEntries(
        Object.entries(config.mcp.servers).map(([name, server]) => [
          name,
          'headers' in server
            ? {
                ...server,
                headers: Object.fromEntries(
                  Object.entries(server.headers).map(([header, value]) => [
                    header,
                    /^(env|secret):/.test(value) ? value : '****',
                  ]),
                ),
              }
            : server,
        ]),
      ),
    },
    // Not even the last characters of the master key: it opens every secret.
    vault: {
      keyFile: config.vault.keyFile,
      masterKey: config.vault.masterKey === undefined ? 'not set' : 'set (AGENTD_MASTER_KEY)',
    },
  };
}

function maskUrlPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '****';
  return parsed.toString();
}

function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `****${secret.slice(-4)}`;
}

function parseFile(file: ConfigSource): Record<string, unknown> {
  const value = parseYamlText(file);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentdError({
      code: 'config.invalid',
      message: `${file.path}: the top level must be a mapping of keys`,
    });
  }
  return value as Record<string, unknown>;
}

/** YAML (a superset of JSON) text to a value; a syntax error names the file and line. */
function parseYamlText(file: ConfigSource): unknown {
  try {
    return parseYaml(file.text);
  } catch (error) {
    throw new AgentdError({
      code: 'config.parse_error',
      message: describeParseError(file.path, file.text, error),
      cause: error,
    });
  }
}

function configuredProviders(
  providers: NonNullable<ConfigFile['providers']>,
  env: LoadConfigOptions['env'],
  problems: string[],
  secretRefs: SecretRef[],
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
    // An unset variable is a problem, not an error: the provider stays listed (without the key)
    // and fails when used, so commands that do not use it keep working.
    let apiKey: string | undefined;
    // Like a `secret:` missing from the vault, an unset variable the config names makes the provider
    // fail with a message naming that variable, not a generic "no API key" hint.
    let unavailable: string | undefined;
    if (entry.apiKey && isVaultRef(entry.apiKey)) {
      secretRefs.push(
        vaultRef(`providers.${name}.apiKey`, entry.apiKey, { kind: 'provider-api-key', provider: name }),
      );
    } else if (entry.apiKey) {
      apiKey = resolveSecret(entry.apiKey, env);
      if (!apiKey) {
        unavailable = missingVariable(`providers.${name}.apiKey`, entry.apiKey);
        problems.push(unavailable);
      }
    } else if (known) {
      apiKey = known.keyEnv.map((variable) => env[variable]).find(Boolean);
      // The hosted service itself (not a proxy or local server at another URL) always needs a key.
      if (!apiKey && baseUrl === known.baseUrl) {
        problems.push(
          `providers.${name}.apiKey: no API key; set ${known.keyEnv.join(' or ')}, or apiKey: env:VAR_NAME`,
        );
      }
    }
    let headers: Record<string, string> | undefined;
    if (entry.headers) {
      headers = {};
      for (const [header, value] of Object.entries(entry.headers)) {
        if (!SECRET_REF_PATTERN.test(value)) headers[header] = value;
        else if (isVaultRef(value)) {
          secretRefs.push(
            vaultRef(`providers.${name}.headers.${header}`, value, {
              kind: 'provider-header',
              provider: name,
              header,
            }),
          );
        } else {
          const resolved = resolveSecret(value, env);
          if (resolved) headers[header] = resolved;
          else {
            unavailable ??= missingVariable(`providers.${name}.headers.${header}`, value);
            problems.push(missingVariable(`providers.${name}.headers.${header}`, value));
          }
        }
      }
    }
    // The service's default model only applies to the service itself, not to a server that
    // merely reuses the name (e.g. a local vLLM configured as `mistral`).
    const defaultModel =
      known?.defaultModel && type === known.type && baseUrl === known.baseUrl
        ? known.defaultModel
        : undefined;
    return {
      name,
      type,
      origin: 'config',
      ...(baseUrl ? { baseUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(headers ? { headers } : {}),
      ...(defaultModel ? { defaultModel } : {}),
      ...(entry.local !== undefined ? { local: entry.local } : {}),
      ...(unavailable ? { unavailable } : {}),
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
      ...(known.defaultModel ? { defaultModel: known.defaultModel } : {}),
    });
  }
  return found;
}

/** The value of an `env:VAR` reference, or undefined when the variable is unset or empty. */
function resolveSecret(ref: string, env: LoadConfigOptions['env']): string | undefined {
  return env[secretVariable(ref)] || undefined;
}

function secretVariable(ref: string): string {
  return ref.slice('env:'.length);
}

function missingVariable(path: string, ref: string): string {
  return `${path}: environment variable ${secretVariable(ref)} is not set`;
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
