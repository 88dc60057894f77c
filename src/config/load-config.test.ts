import { describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { loadConfig, maskConfig } from './load-config.js';

const base = { cwd: '/work', userHome: '/home/u' };

function configError(run: () => unknown): AgentdError {
  try {
    run();
  } catch (error) {
    if (error instanceof AgentdError) return error;
    throw error;
  }
  throw new Error('expected an AgentdError');
}

describe('loadConfig', () => {
  it('defaults to ~/.agentd with a SQLite file there, loopback on 7070, and no providers', () => {
    const config = loadConfig({ ...base, env: {}, files: [] });
    expect(config.home).toBe('/home/u/.agentd');
    expect(config.store.path).toBe('/home/u/.agentd/agentd.db');
    expect(config.server).toEqual({ host: '127.0.0.1', port: 7070, backlog: 4096, allowedOrigins: [] });
    expect(config.providers).toEqual([]);
    expect(config.problems).toEqual([]);
  });

  it('honours AGENTD_HOME, relative to the working directory', () => {
    const config = loadConfig({ ...base, env: { AGENTD_HOME: 'data' }, files: [] });
    expect(config.home).toBe('/work/data');
    expect(config.store.path).toBe('/work/data/agentd.db');
  });

  it('selects a Postgres store from store.url, and AGENTD_STORE_URL over the file', () => {
    const file = { path: '/work/agentd.yaml', text: 'store:\n  url: postgres://agentd@db.internal/agentd\n' };
    expect(loadConfig({ ...base, env: {}, files: [file] }).store).toEqual({
      path: '/home/u/.agentd/agentd.db',
      url: 'postgres://agentd@db.internal/agentd',
    });
    const fromEnv = loadConfig({
      ...base,
      env: { AGENTD_STORE_URL: 'postgresql://other@10.0.0.5:6432/agentd' },
      files: [file],
    });
    expect(fromEnv.store.url).toBe('postgresql://other@10.0.0.5:6432/agentd');
    expect(loadConfig({ ...base, env: {}, files: [] }).store.url).toBeUndefined();
  });

  it('refuses a store URL that is not a postgres:// URL, naming where it came from', () => {
    const fromEnv = configError(() =>
      loadConfig({ ...base, env: { AGENTD_STORE_URL: 'mysql://db/agentd' }, files: [] }),
    );
    expect(fromEnv.code).toBe('config.invalid');
    expect(fromEnv.message).toContain('AGENTD_STORE_URL');
    const inFile = configError(() =>
      loadConfig({
        ...base,
        env: {},
        files: [{ path: '/work/agentd.yaml', text: 'store: { url: db.internal }' }],
      }),
    );
    expect(inFile.message).toContain('/work/agentd.yaml');
    expect(inFile.message).toContain('store.url');
  });

  it('masks the password of the store URL when printing the config', () => {
    const config = loadConfig({
      ...base,
      env: { AGENTD_STORE_URL: 'postgres://agentd:s3cret-pw@db.internal:5432/agentd' },
      files: [],
    });
    const printed = JSON.stringify(maskConfig(config));
    expect(printed).not.toContain('s3cret-pw');
    expect((maskConfig(config)['store'] as { url: string }).url).toBe(
      'postgres://agentd:****@db.internal:5432/agentd',
    );
  });

  it('detects providers from API keys in the environment, in the documented order', () => {
    const config = loadConfig({
      ...base,
      env: { GROQ_API_KEY: 'gsk-1', ANTHROPIC_API_KEY: 'ant-2', OPENAI_API_KEY: 'sk-3' },
      files: [],
    });
    expect(config.providers.map((p) => [p.name, p.type, p.apiKey])).toEqual([
      ['openai', 'openai', 'sk-3'],
      ['anthropic', 'anthropic', 'ant-2'],
      ['groq', 'openai-compatible', 'gsk-1'],
    ]);
    expect(config.providers[2]?.baseUrl).toBe('https://api.groq.com/openai/v1');
  });

  it('reports an invalid value with the file, the key path and the reason', () => {
    const error = configError(() =>
      loadConfig({
        ...base,
        env: {},
        files: [{ path: '/work/agentd.yaml', text: 'providers:\n  openai:\n    baseUrl: not a url\n' }],
      }),
    );
    expect(error.code).toBe('config.invalid');
    expect(error.path).toBe('providers.openai.baseUrl');
    expect(error.message).toBe('/work/agentd.yaml: providers.openai.baseUrl: Invalid URL');
  });

  it('refuses executor.retention.finishedTasks: 0d, naming the key and why', () => {
    const error = configError(() =>
      loadConfig({
        ...base,
        env: {},
        files: [{ path: '/work/agentd.yaml', text: 'executor:\n  retention:\n    finishedTasks: 0d\n' }],
      }),
    );
    expect(error.code).toBe('config.invalid');
    expect(error.path).toBe('executor.retention.finishedTasks');
    expect(error.message).toContain('must be more than 0');
  });

  it('names the choices of memory.embeddings when the value is none of them', () => {
    for (const text of ['memory:\n  embeddings: bogus\n', 'memory:\n  embeddings: {provider: openai}\n']) {
      const error = configError(() =>
        loadConfig({ ...base, env: {}, files: [{ path: '/work/agentd.yaml', text }] }),
      );
      expect(error.code).toBe('config.invalid');
      expect(error.path).toBe('memory.embeddings');
      expect(error.message).toBe(
        '/work/agentd.yaml: memory.embeddings: expected use-lite (the offline model), none (text-only memory), or a provider’s model as { provider, model, dimensions? }',
      );
    }
  });

  it('rejects unknown keys and literal API keys', () => {
    expect(
      configError(() => loadConfig({ ...base, env: {}, files: [{ path: 'a.yaml', text: 'sever: {}' }] }))
        .message,
    ).toMatch(/Unrecognized key.*sever/);
    const literal = configError(() =>
      loadConfig({
        ...base,
        env: {},
        files: [{ path: 'a.yaml', text: 'providers: {openai: {apiKey: sk-live-123}}' }],
      }),
    );
    expect(literal.path).toBe('providers.openai.apiKey');
    expect(literal.message).toMatch(/env:OPENAI_API_KEY/);
  });

  it('names the line of a YAML syntax error', () => {
    const error = configError(() =>
      loadConfig({ ...base, env: {}, files: [{ path: 'a.yaml', text: 'server:\n  port: 1\n bad: [\n' }] }),
    );
    expect(error.code).toBe('config.parse_error');
    expect(error.message).toMatch(/^a\.yaml:\d+: /);
    // The offending line is quoted, so the mistake shows without opening the file.
    expect(error.message).toMatch(/\n {2}\d+ \| /);
  });

  it('resolves env: references and fails clearly when the variable is missing', () => {
    const text =
      'providers:\n  local:\n    type: openai-compatible\n    baseUrl: http://127.0.0.1:9/v1\n    apiKey: env:LOCAL_KEY\n';
    const ok = loadConfig({ ...base, env: { LOCAL_KEY: 'k-123456789' }, files: [{ path: 'a.yaml', text }] });
    expect(ok.providers[0]).toMatchObject({
      name: 'local',
      type: 'openai-compatible',
      apiKey: 'k-123456789',
    });
    // Unset: recorded as a problem, not thrown, so commands that do not use the provider still work.
    const missing = loadConfig({ ...base, env: {}, files: [{ path: 'a.yaml', text }] });
    expect(missing.providers[0]).toMatchObject({ name: 'local' });
    expect(missing.providers[0]?.apiKey).toBeUndefined();
    expect(missing.problems).toEqual(['providers.local.apiKey: environment variable LOCAL_KEY is not set']);
  });

  it('records an unset server token instead of failing, so only serving is refused', () => {
    const config = loadConfig({
      ...base,
      env: {},
      files: [{ path: 'a.yaml', text: 'server: {authToken: env:AGENTD_TOKEN}' }],
    });
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 7070,
      backlog: 4096,
      allowedOrigins: [],
      authTokenMissing: 'AGENTD_TOKEN',
    });
    expect(config.problems).toEqual([
      'server.authToken: environment variable AGENTD_TOKEN is not set; agentd serve will refuse to start',
    ]);
    const set = loadConfig({
      ...base,
      env: { AGENTD_TOKEN: 'tok' },
      files: [{ path: 'a.yaml', text: 'server: {authToken: env:AGENTD_TOKEN}' }],
    });
    expect(set.server).toEqual({
      host: '127.0.0.1',
      port: 7070,
      backlog: 4096,
      allowedOrigins: [],
      authToken: 'tok',
    });
    expect(set.problems).toEqual([]);
  });

  it('reports a known hosted provider configured without any key', () => {
    const config = loadConfig({
      ...base,
      env: {},
      files: [{ path: 'a.yaml', text: 'providers: {groq: {}}' }],
    });
    expect(config.problems).toEqual([
      'providers.groq.apiKey: no API key; set GROQ_API_KEY, or apiKey: env:VAR_NAME',
    ]);
    // At another URL (a proxy or local server) a key is optional.
    const proxied = loadConfig({
      ...base,
      env: {},
      files: [{ path: 'a.yaml', text: 'providers: {groq: {baseUrl: "http://127.0.0.1:9/v1"}}' }],
    });
    expect(proxied.problems).toEqual([]);
  });

  it('resolves env: header values, keeps literal ones, and refuses literal credentials', () => {
    const text =
      'providers:\n  openrouter:\n    apiKey: env:OR_KEY\n    headers:\n      X-Title: agentd\n      X-Api-Key: env:EXTRA_KEY\n';
    const config = loadConfig({
      ...base,
      env: { OR_KEY: 'or-1', EXTRA_KEY: 'extra-secret-value' },
      files: [{ path: 'a.yaml', text }],
    });
    expect(config.providers[0]?.headers).toEqual({ 'X-Title': 'agentd', 'X-Api-Key': 'extra-secret-value' });
    const masked = maskConfig(config) as { providers: { headers?: Record<string, string> }[] };
    expect(masked.providers[0]?.headers).toEqual({ 'X-Title': '****', 'X-Api-Key': '****' });
    expect(JSON.stringify(masked)).not.toContain('extra-secret-value');

    const missing = loadConfig({ ...base, env: { OR_KEY: 'or-1' }, files: [{ path: 'a.yaml', text }] });
    expect(missing.providers[0]?.headers).toEqual({ 'X-Title': 'agentd' });
    expect(missing.problems).toEqual([
      'providers.openrouter.headers.X-Api-Key: environment variable EXTRA_KEY is not set',
    ]);

    for (const header of ['Authorization', 'x-api-key', 'X-Auth-Token', 'Cookie', 'X-Session-Id']) {
      const error = configError(() =>
        loadConfig({
          ...base,
          env: {},
          files: [
            { path: 'a.yaml', text: `providers: {x: {type: openai, headers: {${header}: Bearer sk-live}}}` },
          ],
        }),
      );
      expect(error.code).toBe('config.invalid');
      expect(error.path).toBe(`providers.x.headers.${header}`);
      expect(error.message).toBe(
        `a.yaml: providers.x.headers.${header}: must be a reference like env:VAR or secret:NAME, not a literal secret`,
      );
    }
  });

  it('accepts only http and https base URLs, without credentials', () => {
    const baseUrlError = (url: string) =>
      configError(() =>
        loadConfig({
          ...base,
          env: {},
          files: [{ path: 'a.yaml', text: `providers: {x: {type: openai-compatible, baseUrl: "${url}"}}` }],
        }),
      );
    for (const url of ['ftp://example.com/v1', 'javascript:alert(1)', 'file:///etc/passwd']) {
      const error = baseUrlError(url);
      expect(error.path).toBe('providers.x.baseUrl');
      expect(error.message).toMatch(/providers\.x\.baseUrl: .*(http or https|Invalid URL)/);
    }
    expect(baseUrlError('ftp://example.com/v1').message).toContain('must be an http or https URL, not ftp:');
    const credentials = baseUrlError('https://user:pass@api.example.com/v1');
    expect(credentials.path).toBe('providers.x.baseUrl');
    expect(credentials.message).toContain('must not contain a username or password');
    expect(credentials.message).not.toContain('pass@');
  });

  it('gives known hosted providers their default model, from the environment or by name in a file', () => {
    const fromEnv = loadConfig({
      ...base,
      env: { GROQ_API_KEY: 'gsk-1', DEEPSEEK_API_KEY: 'ds' },
      files: [],
    });
    expect(fromEnv.providers.map((p) => [p.name, p.defaultModel])).toEqual([
      ['groq', 'llama-3.3-70b-versatile'],
      ['deepseek', 'deepseek-chat'],
    ]);
    const named = loadConfig({
      ...base,
      env: { MISTRAL_API_KEY: 'm' },
      files: [
        { path: 'a.yaml', text: 'providers: {mistral: {}, together: {baseUrl: "http://127.0.0.1:9/v1"}}' },
      ],
    });
    expect(named.providers[0]?.defaultModel).toBe('mistral-small-latest');
    // A local server that reuses a service's name does not serve that service's models.
    expect(named.providers[1]?.defaultModel).toBeUndefined();
    expect(loadConfig({ ...base, env: { OPENAI_API_KEY: 'sk' }, files: [] }).providers[0]?.defaultModel).toBe(
      undefined,
    );
  });

  it('validates AGENTD_MODEL like models.default and names the variable', () => {
    const error = configError(() => loadConfig({ ...base, env: { AGENTD_MODEL: 'gpt-4o' }, files: [] }));
    expect(error.code).toBe('config.invalid');
    expect(error.message).toBe('AGENTD_MODEL: must look like provider/model');
  });

  it('fills the base URL of local servers configured by name, and needs a type for unknown names', () => {
    const ollama = loadConfig({
      ...base,
      env: {},
      files: [{ path: 'a.yaml', text: 'providers: {ollama: {}}' }],
    });
    expect(ollama.providers[0]).toMatchObject({
      type: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:11434/v1',
    });
    const error = configError(() =>
      loadConfig({ ...base, env: {}, files: [{ path: 'a.yaml', text: 'providers: {acme: {}}' }] }),
    );
    expect(error.path).toBe('providers.acme.type');
  });

  it('lets later files and programmatic overrides win key by key', () => {
    const config = loadConfig({
      ...base,
      env: { AGENTD_MODEL: 'openai/gpt-4o' },
      files: [
        { path: 'home.yaml', text: 'server: {port: 8000, host: 127.0.0.1}\nagents: {maxSteps: 3}' },
        { path: 'cwd.yaml', text: 'server: {port: 9000}' },
      ],
      overrides: { agents: { maxSteps: 5 } },
    });
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9000, backlog: 4096, allowedOrigins: [] });
    expect(config.agents.maxSteps).toBe(5);
    expect(config.models.default).toBe('openai/gpt-4o');
    expect(config.files).toEqual(['home.yaml', 'cwd.yaml']);
  });

  it('masks every secret when printed', () => {
    const config = loadConfig({
      ...base,
      env: { OPENAI_API_KEY: 'sk-abcdefghijklmnop', TOKEN: 'tok-1234567890' },
      files: [{ path: 'a.yaml', text: 'server: {authToken: env:TOKEN}' }],
    });
    const printed = JSON.stringify(maskConfig(config));
    expect(printed).not.toContain('sk-abcdefghijklmnop');
    expect(printed).not.toContain('tok-1234567890');
    expect(printed).toContain('****mnop');
  });

  it('takes server.allowedOrigins (origins only) and log.level from the config', () => {
    const config = loadConfig({
      ...base,
      env: {},
      files: [
        { path: 'a.yaml', text: 'server: {allowedOrigins: ["http://localhost:5173"]}\nlog: {level: warn}' },
      ],
    });
    expect(config.server.allowedOrigins).toEqual(['http://localhost:5173']);
    expect(config.log.level).toBe('warn');
    expect(loadConfig({ ...base, env: {}, files: [] }).log.level).toBe('info');
    expect(() =>
      loadConfig({
        ...base,
        env: {},
        files: [{ path: 'b.yaml', text: 'server: {allowedOrigins: ["http://x.example/app"]}' }],
      }),
    ).toThrow(/b\.yaml.*server\.allowedOrigins\.0.*an origin: scheme:\/\/host\[:port\], no path/s);
  });

  it('prints nothing of the environment command checks inherit (PATH, HOME)', () => {
    const config = loadConfig({
      ...base,
      env: { PATH: '/opt/secret-tools/bin:/usr/bin', HOME: '/home/jane-admin' },
      files: [],
    });
    expect(config.commandEnv['PATH']).toBe('/opt/secret-tools/bin:/usr/bin');
    const printed = JSON.stringify(maskConfig(config));
    expect(printed).not.toContain('/opt/secret-tools');
    expect(printed).not.toContain('jane-admin');
  });
});

describe('the mcp section', () => {
  const text = [
    'mcp:',
    '  servers:',
    '    files:',
    '      command: npx',
    '      args: [-y, some-mcp-server]',
    '      env: { LOG_LEVEL: debug, GITHUB_TOKEN: env:GH_TOKEN, API_KEY: secret:FILES_KEY }',
    '    web:',
    '      url: https://mcp.example.com/mcp',
    '      headers: { Authorization: env:WEB_AUTH, X-Client: agentd }',
  ].join('\n');

  it('reads only the variables it refers to, and never prints their values', () => {
    const config = loadConfig({
      ...base,
      env: { GH_TOKEN: 'ghp-secret-value', WEB_AUTH: 'Bearer web-secret', OTHER: 'x' },
      files: [{ path: 'a.yaml', text }],
    });
    expect(config.mcpEnv).toEqual({ GH_TOKEN: 'ghp-secret-value', WEB_AUTH: 'Bearer web-secret' });
    expect(config.mcp.servers['files']).toMatchObject({ env: { GITHUB_TOKEN: 'env:GH_TOKEN' } });
    const printed = JSON.stringify(maskConfig(config));
    expect(printed).not.toContain('ghp-secret-value');
    expect(printed).not.toContain('web-secret');
    expect(printed).toContain('"Authorization":"env:WEB_AUTH"');
    expect(printed).toContain('"X-Client":"****"');
  });

  it('refuses literal credentials and server names that tool names cannot carry', () => {
    for (const bad of [
      'mcp: { servers: { web: { url: "https://x.example/mcp", headers: { Authorization: "Bearer abc" } } } }',
      'mcp: { servers: { s: { command: run, env: { GITHUB_TOKEN: ghp_literal } } } }',
      'mcp: { servers: { web: { url: "https://user:pw@x.example/mcp" } } }',
      'mcp: { servers: { my_server: { command: run } } }',
      'mcp: { servers: { s: { command: run, url: "https://x.example" } } }',
    ]) {
      expect(
        configError(() => loadConfig({ ...base, env: {}, files: [{ path: 'a.yaml', text: bad }] })).code,
      ).toBe('config.invalid');
    }
  });
});
