import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadAgentFile, loadTeamFile } from '../agents/index.js';
import { loadConfig } from '../config/index.js';
import { AgentdError } from '../core/errors.js';
import { exampleFiles, findExamplesDir, initProject, nextCommands } from './init-project.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentd-init-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Validates every written file with the real loaders: config schema, agent and team specs. */
async function loadAll(dir: string, files: string[]) {
  const text = readFileSync(join(dir, 'agentd.yaml'), 'utf8');
  const config = loadConfig({
    env: {},
    files: [{ path: join(dir, 'agentd.yaml'), text }],
    cwd: dir,
    userHome: dir,
  });
  for (const file of files.filter((f) => f.startsWith('agents/'))) await loadAgentFile(join(dir, file));
  for (const file of files.filter((f) => f.startsWith('teams/'))) await loadTeamFile(join(dir, file));
  return { config, text };
}

describe('initProject', () => {
  it('writes the examples; every file validates against the real schemas', async () => {
    const dir = join(tempDir(), 'project');
    const result = initProject({ dir, env: {}, localServer: null });
    const files = exampleFiles(findExamplesDir());
    expect(result.files).toEqual(files.map((f) => join(dir, f)));
    expect(files.filter((f) => f.startsWith('teams/'))).toHaveLength(5);
    const { config, text } = await loadAll(dir, files);
    // Budgets and memory are set explicitly; no providers found, so none are configured.
    expect(config.budget.task).toEqual({ usd: 0.5, tokens: 200000, modelCalls: 50, wallTimeMs: 600000 });
    expect(config.budget.dailyUsd).toBe(5);
    expect(config.memory.enabled).toBe(true);
    expect((parseYaml(text) as Record<string, unknown>)['providers']).toBeUndefined();
    expect(text).not.toContain('@providers');
    expect(result.providers).toEqual([]);
  });

  it('configures providers found in the environment by variable name, never by value, and a local server', async () => {
    const dir = tempDir();
    const result = initProject({
      dir,
      env: { OPENAI_API_KEY: 'sk-live-123456', GEMINI_API_KEY: 'gm-secret-9', GROQ_API_KEY: '' },
      localServer: { baseUrl: 'http://127.0.0.1:11434/v1', models: ['llama3.2', 'nomic-embed-text'] },
    });
    expect(result.providers).toEqual(['openai', 'google', 'ollama']);
    const { text } = await loadAll(dir, exampleFiles(findExamplesDir()));
    expect(text).not.toContain('sk-live-123456');
    expect(text).not.toContain('gm-secret-9');
    expect((parseYaml(text) as { providers: unknown }).providers).toEqual({
      openai: { apiKey: 'env:OPENAI_API_KEY' },
      google: { apiKey: 'env:GEMINI_API_KEY' },
      ollama: { type: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1' },
    });
    // With the keys set, the providers resolve from the references.
    const config = loadConfig({
      env: { OPENAI_API_KEY: 'sk-live-123456', GEMINI_API_KEY: 'gm-secret-9' },
      files: [{ path: join(dir, 'agentd.yaml'), text }],
      cwd: dir,
      userHome: dir,
    });
    expect(config.providers.map((p) => p.name)).toEqual(['openai', 'google', 'ollama']);
    expect(config.problems).toEqual([]);
  });

  it('keeps model names a local server reports from breaking out of their comment', async () => {
    const dir = tempDir();
    initProject({
      dir,
      env: {},
      localServer: { baseUrl: 'http://127.0.0.1:11434/v1', models: ['qwen2.5:7b', 'x\nserver:\n  port: 1'] },
    });
    const { config, text } = await loadAll(dir, exampleFiles(findExamplesDir()));
    expect(text).toContain('(models: qwen2.5:7b)');
    expect(config.server.port).not.toBe(1);
  });

  it('never overwrites without force, names the file and writes nothing', () => {
    const dir = tempDir();
    initProject({ dir, env: {}, localServer: null });
    writeFileSync(join(dir, 'agentd.yaml'), 'mine: true\n');
    let thrown: unknown;
    try {
      initProject({ dir, env: { OPENAI_API_KEY: 'x' }, localServer: null });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AgentdError);
    expect((thrown as AgentdError).code).toBe('cli.file_exists');
    expect((thrown as AgentdError).message).toContain(join(dir, 'agentd.yaml'));
    expect((thrown as AgentdError).message).toContain('--force');
    expect(readFileSync(join(dir, 'agentd.yaml'), 'utf8')).toBe('mine: true\n');

    initProject({ dir, env: {}, localServer: null, force: true });
    expect(readFileSync(join(dir, 'agentd.yaml'), 'utf8')).toContain('budget:');
  });

  it('refuses a file given as the folder', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    expect(() => initProject({ dir: file, env: {}, localServer: null })).toThrow(/is a file, not a folder/);
  });

  it('prints three next commands, after a cd when the folder is elsewhere', () => {
    expect(nextCommands('/work/p', '/work/p')).toHaveLength(3);
    expect(nextCommands('/work/p/new', '/work/p')).toEqual([
      'cd new',
      'agentd doctor',
      expect.stringContaining('agentd run --team teams/sequential.yaml'),
      expect.stringContaining('teams/debate.yaml'),
    ]);
  });
});
