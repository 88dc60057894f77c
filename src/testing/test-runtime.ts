import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { createRuntime } from '../runtime/index.js';
import type { Runtime, RuntimeOptions } from '../runtime/index.js';
import { createFakeLanguageModel, createFakeProvider } from './fake-language-model.js';
import type { FakeLanguageModel, FakeLanguageModelOptions } from './fake-language-model.js';

/** A runtime on a fresh temporary home with the scripted fake model as `fake/scripted`. */
export interface TestRuntime {
  runtime: Runtime;
  model: FakeLanguageModel;
  home: string;
  /** Closes the runtime and deletes the temporary home. */
  dispose(): Promise<void>;
}

/** Catalog prices the fake model is billed at: $1 per 1M input, $2 per 1M output tokens. */
export const FAKE_PRICES = { inputPerMTok: 1, outputPerMTok: 2 } as const;

/** What {@link createTestRuntimeOptions} returns: runtime options plus the fake model and home they use. */
export interface TestRuntimeOptions {
  /** Options for `createRuntime` (or `runCli(argv, { runtime })`). */
  options: RuntimeOptions;
  model: FakeLanguageModel;
  home: string;
  /** Deletes the temporary home (when it was created here). */
  cleanup(): void;
}

/**
 * The options {@link createTestRuntime} builds a runtime from, for callers that create the runtime
 * themselves (e.g. the CLI, which opens and closes its own).
 */
export function createTestRuntimeOptions(
  options: {
    script?: FakeLanguageModelOptions['script'];
    config?: Record<string, unknown>;
    home?: string;
    /** Environment seen by the config loader (AGENTD_HOME is always the test home). */
    env?: Record<string, string>;
    runtime?: Partial<RuntimeOptions>;
  } = {},
): TestRuntimeOptions {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'agentd-test-'));
  const model = createFakeLanguageModel({ ...(options.script ? { script: options.script } : {}) });
  const loadedConfig = loadConfig({
    env: { ...options.env, AGENTD_HOME: home },
    files: [],
    cwd: home,
    userHome: home,
    overrides: {
      models: {
        default: 'fake/scripted',
        catalog: [
          { id: 'fake/scripted', ...FAKE_PRICES, contextWindow: 10_000_000, capabilities: { tools: true } },
        ],
      },
      // Every operation's result is checked against its output schema in tests.
      operations: { validateOutputs: true },
      ...options.config,
      // Text-only memory unless a test asks for embeddings: loading the offline USE-lite model costs
      // seconds of CPU per test file, for tests that are not about embeddings.
      memory: { embeddings: 'none', ...(options.config?.['memory'] as object | undefined) },
    },
  });
  return {
    options: {
      loadedConfig,
      providers: [createFakeProvider({ models: { scripted: model } })],
      detectLocalServer: false,
      maxRetries: 0,
      ...options.runtime,
    },
    model,
    home,
    cleanup() {
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Builds a runtime for tests: temp AGENTD_HOME and SQLite file, no environment, no local-server
 * probe, no provider retries, text-only memory (`memory.embeddings: none`, unless `config.memory`
 * names embeddings), and the scripted fake model as default (priced, so costs are real).
 */
export async function createTestRuntime(
  options: {
    script?: FakeLanguageModelOptions['script'];
    config?: Record<string, unknown>;
    home?: string;
    /** Environment seen by the config loader (AGENTD_HOME is always the test home). */
    env?: Record<string, string>;
    runtime?: Partial<RuntimeOptions>;
  } = {},
): Promise<TestRuntime> {
  const built = createTestRuntimeOptions(options);
  const runtime = await createRuntime(built.options);
  return {
    runtime,
    model: built.model,
    home: built.home,
    async dispose() {
      await runtime.close();
      built.cleanup();
    },
  };
}
