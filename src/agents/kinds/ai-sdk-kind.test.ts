import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentSpecSchema } from '../agent-spec.js';
import { createFakeAgentGateway } from '../../testing/fake-agent-gateway.js';
import { createFakeLanguageModel } from '../../testing/fake-language-model.js';
import { createForeignAgentHarness } from '../../testing/foreign-agent-harness.js';
import { ATTR } from '../../trace/index.js';

// The ai-sdk kind and module loading: user modules in a temporary project folder, the scripted
// model behind a test-fake gateway (the real gateway is tested apart).

let project: string;
let outside: string;
beforeEach(() => {
  project = realpathSync(mkdtempSync(join(tmpdir(), 'agentd-kinds-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'agentd-outside-')));
});
afterEach(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

// A user module that calls the model it is given at the provider level (no imports needed).
const ANSWERING = `export async function answer(model, input) {
  const result = await model.doGenerate({ prompt: [{ role: 'user', content: [{ type: 'text', text: input.prompt }] }] });
  return { text: 'agent says: ' + result.content.map((part) => part.text ?? '').join('') };
}
export const notAFunction = 42;
`;

function spec(fields: Record<string, unknown>) {
  return AgentSpecSchema.parse({ name: 'helper', kind: 'ai-sdk', ...fields });
}

describe('the ai-sdk kind', () => {
  it('passes the gateway model to the module and returns its answer under an invoke_agent span', async () => {
    writeFileSync(join(project, 'agent.mjs'), ANSWERING);
    const model = createFakeLanguageModel({ script: [{ text: 'hello' }] });
    const gateway = createFakeAgentGateway({ model });
    const h = createForeignAgentHarness({ gateway, foreign: { projectDir: project } });
    const result = await h.run(spec({ module: 'agent.mjs', export: 'answer' }), { prompt: 'greet' });
    expect(result).toEqual({ agent: 'helper', output: 'agent says: hello' });
    expect(model.calls[0]?.promptText).toBe('greet');
    const spans = await h.spans();
    const agentSpan = spans.find((s) => s.name === 'invoke_agent helper');
    expect(agentSpan?.attributes).toMatchObject({
      [ATTR.agentName]: 'helper',
      'agentd.agent.kind': 'ai-sdk',
    });
    expect(gateway.requests).toEqual([{ method: 'model', agent: 'helper', spanId: agentSpan?.spanId }]);
    expect(h.events.map((e) => e.type)).toEqual(['agent-end']);
    await h.close();
  });

  it('asks for and parses structured output when the topology wants it', async () => {
    writeFileSync(join(project, 'agent.mjs'), ANSWERING.replace("'agent says: ' + ", ''));
    const model = createFakeLanguageModel({ script: [{ text: '{"score": 3}' }] });
    const h = createForeignAgentHarness({
      gateway: createFakeAgentGateway({ model }),
      foreign: { projectDir: project },
    });
    const result = await h.run(spec({ module: join(project, 'agent.mjs'), export: 'answer' }), {
      prompt: 'rate it',
      schema: z.object({ score: z.number() }),
    });
    expect(result.data).toEqual({ score: 3 });
    expect(model.calls[0]?.promptText).toContain('JSON Schema');
    await h.close();
  });

  it('fails clearly without a gateway, with a wrong export, or a module outside the project', async () => {
    writeFileSync(join(project, 'agent.mjs'), ANSWERING);
    writeFileSync(join(outside, 'evil.mjs'), ANSWERING);
    symlinkSync(join(outside, 'evil.mjs'), join(project, 'link.mjs'));
    mkdirSync(join(project, 'sub'));
    const model = createFakeLanguageModel();
    const h = createForeignAgentHarness({
      gateway: createFakeAgentGateway({ model }),
      foreign: { projectDir: project },
    });
    const none = createForeignAgentHarness({ foreign: { projectDir: project } });
    await expect(
      none.run(spec({ module: 'agent.mjs', export: 'answer' }), { prompt: 'x' }),
    ).rejects.toMatchObject({
      code: 'agent.gateway_unavailable',
    });
    await expect(
      h.run(spec({ module: 'agent.mjs', export: 'notAFunction' }), { prompt: 'x' }),
    ).rejects.toMatchObject({
      code: 'agent.module_invalid',
      message: expect.stringContaining("export 'notAFunction'"),
    });
    await expect(
      h.run(spec({ module: 'agent.mjs', export: 'missing' }), { prompt: 'x' }),
    ).rejects.toMatchObject({
      code: 'agent.module_invalid',
      message: expect.stringContaining('it exports: answer, notAFunction'),
    });
    mkdirSync(join(project, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(join(project, 'node_modules', 'pkg', 'cli.mjs'), ANSWERING);
    for (const module of [
      '../evil.mjs',
      'sub/../../evil.mjs',
      join(outside, 'evil.mjs'),
      'link.mjs',
      'node_modules/pkg/cli.mjs',
    ]) {
      await expect(h.run(spec({ module, export: 'answer' }), { prompt: 'x' }), module).rejects.toMatchObject({
        code: 'agent.path_outside_project',
      });
    }
    expect(model.calls).toHaveLength(0);
    await h.close();
    await none.close();
  });

  it('names the package a kind needs when it is not installed', async () => {
    const missing = (specifier: string) =>
      Promise.reject(
        Object.assign(new Error(`Cannot find package '${specifier}' imported from /x`), {
          code: 'ERR_MODULE_NOT_FOUND',
        }),
      );
    const h = createForeignAgentHarness({
      gateway: createFakeAgentGateway({}),
      foreign: { projectDir: project, importer: missing },
    });
    await expect(
      h.run(AgentSpecSchema.parse({ name: 'g', kind: 'langgraph', module: 'graph.mjs' }), { prompt: 'x' }),
    ).rejects.toMatchObject({
      code: 'agent.kind_package_missing',
      category: 'invalid',
      message: "kind 'langgraph' needs @langchain/langgraph — npm i @langchain/langgraph",
    });
    await expect(
      h.run(AgentSpecSchema.parse({ name: 'o', kind: 'openai-agents', module: 'agent.mjs' }), {
        prompt: 'x',
      }),
    ).rejects.toMatchObject({ message: "kind 'openai-agents' needs @openai/agents — npm i @openai/agents" });
    writeFileSync(join(project, 'agent.ts'), 'export default () => "x";');
    await expect(h.run(spec({ module: 'agent.ts' }), { prompt: 'x' })).rejects.toMatchObject({
      code: 'agent.kind_package_missing',
      message: expect.stringContaining('needs tsx to load — npm i tsx'),
    });
    await h.close();
  });

  it('loads a TypeScript module through tsx', async () => {
    writeFileSync(
      join(project, 'agent.ts'),
      'export default async (_model: unknown, input: { prompt: string }): Promise<string> => `ts: ${input.prompt}`;\n',
    );
    const h = createForeignAgentHarness({
      gateway: createFakeAgentGateway({ model: createFakeLanguageModel() }),
      foreign: { projectDir: project },
    });
    expect((await h.run(spec({ module: 'agent.ts' }), { prompt: 'hi' })).output).toBe('ts: hi');
    await h.close();
  });
});
