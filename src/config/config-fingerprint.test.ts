import { describe, expect, it } from 'vitest';
import { configFingerprint, configPathOf } from './config-fingerprint.js';
import { loadConfig } from './load-config.js';

const yaml = (lines: string[]) => lines.join('\n');

function load(text: string, env: Record<string, string> = {}, path = '/p/a/agentd.yaml') {
  return loadConfig({ env, files: [{ path, text }], cwd: '/p/a', userHome: '/home/u' });
}

const base = yaml([
  'providers:',
  '  local:',
  '    type: openai-compatible',
  '    baseUrl: http://127.0.0.1:11434/v1',
  '    apiKey: env:LOCAL_KEY',
  'models:',
  '  default: local/m',
  'memory:',
  '  enabled: false',
]);

describe('configFingerprint', () => {
  it('is the same for the same settings written in another key order', () => {
    const reordered = yaml([
      'memory:',
      '  enabled: false',
      'models:',
      '  default: local/m',
      'providers:',
      '  local:',
      '    apiKey: env:LOCAL_KEY',
      '    baseUrl: http://127.0.0.1:11434/v1',
      '    type: openai-compatible',
    ]);
    expect(configFingerprint(load(reordered, { LOCAL_KEY: 'k1' }))).toBe(
      configFingerprint(load(base, { LOCAL_KEY: 'k1' })),
    );
  });

  it('changes with a provider or the default model, not with the server, prices or budgets', () => {
    const fingerprint = configFingerprint(load(base));
    expect(configFingerprint(load(base.replace('11434', '8080')))).not.toBe(fingerprint);
    expect(configFingerprint(load(base.replace('default: local/m', 'default: local/n')))).not.toBe(
      fingerprint,
    );
    const unrelated = `${base}\nserver:\n  port: 9999\nbudget:\n  dailyUsd: 3\n`;
    expect(configFingerprint(load(unrelated))).toBe(fingerprint);
  });

  it('holds no secret value: a rotated key keeps the fingerprint, and the key is nowhere in it', () => {
    const secret = 'sk-live-0123456789abcdef';
    const withKey = configFingerprint(load(base, { LOCAL_KEY: secret }));
    expect(withKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(withKey).not.toContain(secret);
    expect(configFingerprint(load(base, { LOCAL_KEY: 'sk-other-key' }))).toBe(withKey);
    // Whether the key is set at all does change what would run.
    expect(configFingerprint(load(base))).not.toBe(withKey);
  });
});

describe('configPathOf', () => {
  it('names the config file of highest precedence, or null without one', () => {
    expect(configPathOf(load(base))).toBe('/p/a/agentd.yaml');
    expect(configPathOf({ files: [], models: { catalog: [] } })).toBeNull();
    expect(
      configPathOf({
        files: ['/h/config.yaml', '/p/a/agentd.yaml', '/p/a/catalog.yaml'],
        models: { catalog: [], catalogFile: '/p/a/catalog.yaml' },
      }),
    ).toBe('/p/a/agentd.yaml');
  });
});
