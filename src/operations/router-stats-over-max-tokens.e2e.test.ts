import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/index.js';
import { adminActor } from '../security/actor.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import { invokeOperation } from './invoke-operation.js';
import { routerStats } from './router-stats.js';

// A provider that reports more output than the `max_tokens` a call asked for bills past every
// worst case a budget reserved: the call is recorded as such, and the model is flagged and counted.
describe('usage above the requested max_tokens', () => {
  let dir: string | undefined;
  let server: FakeOpenAIServer | undefined;
  const runtimes: Runtime[] = [];
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function open(home: string, baseUrl: string): Promise<Runtime> {
    const config = loadConfig({
      env: { AGENTD_HOME: home },
      files: [
        {
          path: 'agentd.yaml',
          text: [
            'providers:',
            '  local:',
            '    type: openai-compatible',
            `    baseUrl: ${baseUrl}`,
            'models:',
            '  default: local/small',
            '  catalog:',
            '    - id: local/small',
            '      inputPerMTok: 1',
            '      outputPerMTok: 2',
          ].join('\n'),
        },
      ],
      cwd: home,
      userHome: home,
    });
    return createRuntime({ loadedConfig: config, detectLocalServer: false, maxRetries: 0 }).then((rt) => {
      runtimes.push(rt);
      return rt;
    });
  }

  it('records it on the ledger row and the span, and counts it in router stats across processes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-overmax-'));
    const fake = (server = await startFakeOpenAIServer({
      script: (_request, index) => ({
        text: `answer ${index}`,
        usage: { promptTokens: 100, completionTokens: index === 0 ? 300 : 50 },
      }),
    }));
    const rt = await open(dir, fake.baseUrl);
    const over = await rt.tasks.run({
      prompt: 'say a lot',
      agent: { name: 'a', tools: [], maxOutputTokens: 100 },
    });
    const within = await rt.tasks.run({
      prompt: 'say a little',
      agent: { name: 'a', tools: [], maxOutputTokens: 100 },
    });
    expect([over.status, within.status]).toEqual(['succeeded', 'succeeded']);
    expect(fake.requests[0]?.body?.max_tokens).toBe(100);

    const stores = openSqliteStores({ path: join(dir, 'agentd.db') });
    try {
      expect(await stores.ledger.listByTask(over.id)).toEqual([
        expect.objectContaining({ outputTokens: 300, overMaxTokens: 100, status: 'settled' }),
      ]);
      expect((await stores.ledger.listByTask(within.id))[0]?.overMaxTokens).toBeUndefined();
    } finally {
      await stores.close();
    }
    const [span] = (await rt.tasks.spans(over.id)).filter((s) => s.kind === 'model');
    expect(span?.attributes['agentd.usage.over_max_tokens']).toBe(200);
    const [withinSpan] = (await rt.tasks.spans(within.id)).filter((s) => s.kind === 'model');
    expect(withinSpan?.attributes['agentd.usage.over_max_tokens']).toBeUndefined();

    const stats = await invokeOperation(rt, routerStats, {}, adminActor('test'));
    expect(stats.overMaxTokens).toEqual([{ modelId: 'local/small', calls: 1 }]);
    expect(stats.stats.find((s) => s.kind === '*')).toMatchObject({ calls: 2, overMaxTokensCalls: 1 });

    // Another process on the same database (`agentd router stats` in another terminal) sees it too.
    await rt.close();
    runtimes.splice(runtimes.indexOf(rt), 1);
    const other = await open(dir, fake.baseUrl);
    expect(other.router.stats().overMaxTokens).toEqual([{ modelId: 'local/small', calls: 1 }]);
  });
});
