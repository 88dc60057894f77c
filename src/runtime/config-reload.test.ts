import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { AgentdConfig } from '../config/index.js';
import { createFakeLanguageModel, createFakeProvider } from '../testing/fake-language-model.js';
import { until } from '../testing/until.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

describe('catalog and router changes without a restart', () => {
  let dir: string;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Reads agentd.yaml and the catalog file it names from the temp folder, as the CLI would. */
  function readConfig(): AgentdConfig {
    const path = join(dir, 'agentd.yaml');
    const base = { env: { AGENTD_HOME: dir }, cwd: dir, userHome: dir };
    const files = [{ path, text: readFileSync(path, 'utf8') }];
    const first = loadConfig({ ...base, files });
    const catalogPath = first.models.catalogFile;
    return catalogPath
      ? loadConfig({
          ...base,
          files,
          catalogFile: { path: catalogPath, text: readFileSync(catalogPath, 'utf8') },
        })
      : first;
  }

  function write(file: string, lines: string[]): void {
    writeFileSync(join(dir, file), lines.join('\n'));
  }

  async function start(): Promise<Runtime> {
    const models = {
      a: createFakeLanguageModel({}),
      b: createFakeLanguageModel({}),
      c: createFakeLanguageModel({}),
    };
    runtime = await createRuntime({
      loadConfig: readConfig,
      watchConfig: true,
      providers: [createFakeProvider({ models })],
      detectLocalServer: false,
    });
    return runtime;
  }

  it('reads models.catalogFile entries, before the inline catalog, and reports the file in errors', () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-reload-'));
    write('agentd.yaml', [
      'models:',
      '  default: fake/a',
      '  catalogFile: prices.yaml',
      '  catalog:',
      '    - id: fake/b',
      '      inputPerMTok: 9',
    ]);
    write('prices.yaml', [
      '- id: fake/a',
      '  inputPerMTok: 1',
      '- id: fake/b',
      '  inputPerMTok: 2',
      '  outputPerMTok: 3',
    ]);
    const config = readConfig();
    expect(config.models.catalogFile).toBe(join(dir, 'prices.yaml'));
    expect(config.files).toEqual([join(dir, 'agentd.yaml'), join(dir, 'prices.yaml')]);
    expect(config.models.catalog).toEqual([
      { id: 'fake/a', inputPerMTok: 1 },
      { id: 'fake/b', inputPerMTok: 2, outputPerMTok: 3 },
      { id: 'fake/b', inputPerMTok: 9 },
    ]);
    write('prices.yaml', ['- id: fake/a', '  inputPerMTok: -1']);
    expect(() => readConfig()).toThrow(/prices\.yaml.*inputPerMTok|inputPerMTok.*prices\.yaml/s);
  });

  it('applies a price change in the catalog file and a router change in the config to the next decision', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-reload-'));
    const agentdYaml = (...router: string[]) =>
      write('agentd.yaml', [
        'models:',
        '  default: fake/a',
        '  catalogFile: prices.yaml',
        'router:',
        ...router,
      ]);
    agentdYaml('  unpinned: route');
    write('prices.yaml', [
      '- id: fake/a',
      '  inputPerMTok: 1',
      '  outputPerMTok: 1',
      '- id: fake/b',
      '  inputPerMTok: 2',
      '  outputPerMTok: 2',
    ]);
    const rt = await start();
    expect(rt.router.explain({ kind: 'chat' }).order[0]).toBe('fake/a');

    // fake/a becomes dearer and a cheaper fake/c appears: the pick moves once the watcher sees the file.
    // fs.watchFile takes its first look at a file asynchronously, and a change written before that look
    // is its starting point, not a change: the file is written again until the watcher has seen it.
    await until(
      () => {
        if (rt.router.explain({ kind: 'chat' }).order[0] === 'fake/c') return true;
        write('prices.yaml', [
          '- id: fake/a',
          '  inputPerMTok: 5',
          '  outputPerMTok: 5',
          '- id: fake/b',
          '  inputPerMTok: 2',
          '  outputPerMTok: 2',
          '- id: fake/c',
          '  inputPerMTok: 0.5',
          '  outputPerMTok: 0.5',
        ]);
        return false;
      },
      { intervalMs: 250, message: 'the watcher to apply the new prices' },
    );
    expect(rt.router.explain({ kind: 'chat' }).order).toEqual(['fake/c', 'fake/b', 'fake/a']);
    expect(rt.models.list().find((m) => m.id === 'fake/a')?.inputPerMTok).toBe(5);

    agentdYaml('  unpinned: route', '  objective: best');
    await until(() => rt.router.explain({ kind: 'chat' }).objective === 'best', {
      message: 'the watcher to apply the new objective',
    });

    // A broken file keeps the previous config.
    write('agentd.yaml', ['models: [this is not', '  a mapping']);
    rt.settings.reload();
    expect(rt.router.explain({ kind: 'chat' }).objective).toBe('best');
  });
});
