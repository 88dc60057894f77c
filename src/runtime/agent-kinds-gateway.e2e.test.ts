import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgentFile, loadTeamFile } from '../agents/index.js';
import type { SpanRecord } from '../store/trace-store.js';
import type { FakeScript } from '../testing/fake-openai-server.js';
import { startKindsGatewayFixture, tripReply } from '../testing/kinds-gateway-fixture.js';
import type { KindsGatewayFixture } from '../testing/kinds-gateway-fixture.js';
import { ROOT } from '../testing/fresh-bundle.js';
import { until } from '../testing/until.js';
import { ATTR } from '../trace/index.js';

// Agent kinds end to end through agentd's real gateway: the examples' LangGraph and Python agents
// (and a Node process agent) run as tasks of a runtime whose only provider is the fake
// OpenAI-compatible server. Their model calls are agentd's: spans under the agent's span with cost,
// the task's budget, and the journal a resumed task replays from.

const PROJECT = join(ROOT, 'examples', 'frameworks');
const NODE = process.execPath;

let fixture: KindsGatewayFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const start = (script: FakeScript, projectDir = PROJECT) => startKindsGatewayFixture({ script, projectDir });
const chats = (f: KindsGatewayFixture) => f.chats();

/** Whether `span` sits (at any depth) under `ancestor`. */
function under(spans: SpanRecord[], span: SpanRecord, ancestor: SpanRecord): boolean {
  let parent = spans.find((s) => s.spanId === span.parentSpanId);
  while (parent) {
    if (parent.spanId === ancestor.spanId) return true;
    parent = spans.find((s) => s.spanId === parent?.parentSpanId);
  }
  return false;
}

describe('agent kinds through the gateway', () => {
  it("puts a LangGraph agent's and a Python agent's model calls under their agent spans, with cost", async () => {
    fixture = await start((request) => tripReply(request));
    const team = await loadTeamFile(join(PROJECT, 'mixed-team.yaml'));
    // The native planner answers on the same fake server (no tools: the summary reply).
    const task = await fixture.runtime.tasks.run({ prompt: 'Plan a day trip to Oslo.', team });
    expect(task.error ?? undefined).toBeUndefined();
    expect(task.output).toBe('- Oslo\n- rain\n- umbrella');
    // planner 1 + LangGraph 2 + Python 1, none with agentd's upstream key outside the provider.
    expect(chats(fixture)).toHaveLength(4);
    const spans = await fixture.runtime.tasks.spans(task.id);
    for (const [agent, calls] of [
      ['forecaster', 2],
      ['summarizer', 1],
    ] as const) {
      const agentSpan = spans.find((s) => s.name === `invoke_agent ${agent}`);
      expect(agentSpan, agent).toBeDefined();
      const modelSpans = spans.filter(
        (s) => s.kind === 'model' && agentSpan !== undefined && under(spans, s, agentSpan),
      );
      expect(modelSpans, agent).toHaveLength(calls);
      for (const span of modelSpans) expect(span.attributes[ATTR.costUsd]).toBeGreaterThan(0);
    }
    const result = await fixture.runtime.tasks.wait(task.id);
    expect(result.modelCalls).toBe(4);
  });

  it("cuts a foreign agent off with the task's budget", async () => {
    fixture = await start((request) => tripReply(request));
    const agent = await loadAgentFile(join(PROJECT, 'langgraph-agent.yaml'));
    const task = await fixture.runtime.tasks.run({
      prompt: 'Weather in Oslo?',
      agent,
      budget: { modelCalls: 1 },
    });
    expect(task.status).toBe('failed');
    expect(task.error).toMatchObject({ code: 'budget.exceeded' });
    // The second call was refused by the gateway, never sent to the model.
    expect(chats(fixture)).toHaveLength(1);
  });

  it('does not pay again, after a restart, for the calls a resumed process agent repeats', async () => {
    const project = mkdtempSync(join(tmpdir(), 'agentd-kinds-project-'));
    const marker = join(project, 'first-run-done');
    // Two calls; on its first run the program stops after the first one and waits (the process dies).
    writeFileSync(
      join(project, 'agent.mjs'),
      `import { existsSync, writeFileSync } from 'node:fs';
       const ask = async (content) => {
         const response = await fetch(process.env.OPENAI_BASE_URL + '/chat/completions', {
           method: 'POST',
           headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.OPENAI_API_KEY },
           body: JSON.stringify({ model: process.env.AGENTD_MODEL, messages: [{ role: 'user', content }] }),
         });
         return (await response.json()).choices[0].message.content;
       };
       const first = await ask('step one');
       if (!existsSync(${JSON.stringify(marker)})) {
         writeFileSync(${JSON.stringify(marker)}, first);
         setInterval(() => {}, 1000);
       } else {
         const second = await ask('step two');
         console.log(JSON.stringify({ type: 'output', text: first + ' / ' + second }));
       }`,
    );
    try {
      fixture = await start(
        (_request, index) => ({ text: `reply ${index}`, usage: { promptTokens: 10, completionTokens: 5 } }),
        project,
      );
      const agent = {
        name: 'stepper',
        kind: 'process' as const,
        command: [NODE, 'agent.mjs'],
        cwd: '.',
        tools: [],
      };
      const task = await fixture.runtime.tasks.submit({ prompt: 'two steps', agent });
      // The first run made its first call and is waiting: the process goes away (the runtime closes).
      await until(() => existsSync(marker));
      expect(chats(fixture)).toHaveLength(1);
      await fixture.runtime.close();

      const runtime = await fixture.reopen({ resume: true });
      const result = await runtime.tasks.wait(task.id);
      expect(result).toMatchObject({ status: 'succeeded', output: 'reply 0 / reply 1' });
      // The repeated first call came from the journal: two calls reached the model, two were paid.
      expect(chats(fixture)).toHaveLength(2);
      expect(result.modelCalls).toBe(2);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
