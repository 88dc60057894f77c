import { describe, expect, it } from 'vitest';
import { loadConfig, maskConfig } from './load-config.js';
import { referencedSecrets, resolveSecretRefs } from './secret-refs.js';

const base = { cwd: '/work', userHome: '/home/u' };
const PLANTED = 'sk-vault-value-9876';

function configWithRefs(env: Record<string, string> = {}) {
  return loadConfig({
    ...base,
    env,
    files: [
      {
        path: 'a.yaml',
        text: [
          'providers:',
          '  openai:',
          '    apiKey: secret:OPENAI_KEY',
          '  internal:',
          '    type: openai-compatible',
          '    baseUrl: https://llm.example/v1',
          '    headers:',
          '      X-Api-Key: secret:INTERNAL_TOKEN',
          '      X-Team: blue',
          'server:',
          '  authToken: secret:AGENTD_TOKEN',
        ].join('\n'),
      },
    ],
  });
}

describe('secret: references', () => {
  it('are recorded where they sit, not resolved or reported by loadConfig', () => {
    const config = configWithRefs();
    expect(config.secretRefs).toEqual([
      { path: 'server.authToken', secret: 'AGENTD_TOKEN', target: { kind: 'server-token' } },
      {
        path: 'providers.openai.apiKey',
        secret: 'OPENAI_KEY',
        target: { kind: 'provider-api-key', provider: 'openai' },
      },
      {
        path: 'providers.internal.headers.X-Api-Key',
        secret: 'INTERNAL_TOKEN',
        target: { kind: 'provider-header', provider: 'internal', header: 'X-Api-Key' },
      },
    ]);
    expect(referencedSecrets(config)).toEqual(['AGENTD_TOKEN', 'OPENAI_KEY', 'INTERNAL_TOKEN']);
    // Not read from the environment, even when a variable of the same name exists.
    const openai = configWithRefs({ OPENAI_KEY: 'from-env', OPENAI_API_KEY: 'from-env' }).providers[0];
    expect(openai?.apiKey).toBeUndefined();
    expect(config.problems).toEqual([]);
  });

  it('are filled in from the vault’s values', () => {
    const config = resolveSecretRefs(
      configWithRefs(),
      new Map([
        ['OPENAI_KEY', PLANTED],
        ['INTERNAL_TOKEN', 'tok'],
        ['AGENTD_TOKEN', 'server-token'],
      ]),
    );
    expect(config.providers.find((p) => p.name === 'openai')?.apiKey).toBe(PLANTED);
    expect(config.providers.find((p) => p.name === 'internal')?.headers).toEqual({
      'X-Api-Key': 'tok',
      'X-Team': 'blue',
    });
    expect(config.server.authToken).toBe('server-token');
    expect(config.problems).toEqual([]);
  });

  it('missing from the vault: a problem naming the key and the secret, and the provider marked unavailable', () => {
    const config = resolveSecretRefs(configWithRefs(), new Map([['INTERNAL_TOKEN', 'tok']]));
    expect(config.problems).toEqual([
      'server.authToken: secret AGENTD_TOKEN is not in the vault; set it with: agentd secrets set AGENTD_TOKEN; agentd serve will refuse to start',
      'providers.openai.apiKey: secret OPENAI_KEY is not in the vault; set it with: agentd secrets set OPENAI_KEY',
    ]);
    expect(config.server.authTokenMissing).toBe('secret:AGENTD_TOKEN');
    expect(config.providers.find((p) => p.name === 'openai')?.unavailable).toContain('secret OPENAI_KEY');
    expect(config.providers.find((p) => p.name === 'internal')?.unavailable).toBeUndefined();
  });

  it('print as their reference, never as any part of the value; the master key not at all', () => {
    const config = resolveSecretRefs(
      configWithRefs({ AGENTD_MASTER_KEY: 'bWFzdGVyLWtleS1tYXN0ZXIta2V5LW1hc3Rlci1rZXkh' }),
      new Map([
        ['OPENAI_KEY', PLANTED],
        ['INTERNAL_TOKEN', PLANTED],
        ['AGENTD_TOKEN', PLANTED],
      ]),
    );
    const printed = JSON.stringify(maskConfig(config));
    expect(printed).not.toContain(PLANTED.slice(-4));
    expect(printed).not.toContain('bWFzdGVy');
    expect(printed).toContain('"apiKey":"secret:OPENAI_KEY"');
    expect(printed).toContain('"X-Api-Key":"secret:INTERNAL_TOKEN"');
    expect(printed).toContain('"authToken":"secret:AGENTD_TOKEN"');
    expect(printed).toContain('"masterKey":"set (AGENTD_MASTER_KEY)"');
  });

  it('keep the reference syntax strict', () => {
    const run = (value: string) => () =>
      loadConfig({
        ...base,
        env: {},
        files: [{ path: 'a.yaml', text: `providers:\n  openai:\n    apiKey: "${value}"` }],
      });
    expect(run('secret:bad-name')).toThrow(
      /must be a reference like env:OPENAI_API_KEY or secret:OPENAI_API_KEY/,
    );
    expect(run('secret:')).toThrow();
    expect(run('secret:OK_NAME')).not.toThrow();
  });
});
