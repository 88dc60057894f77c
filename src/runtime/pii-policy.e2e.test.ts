import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

// security.pii at the edges of a task: the prompt a hosted model receives (captured by a fake
// OpenAI-protocol server configured as not local), the result the caller gets, the spans stored.
const EMAIL = 'jane.roe@example.com';
const KEY = 'sk-proj-Xy7fQ2mLp9RtV4bN8cK1wZ3dH6jS0aEu';

describe('the PII policy at the edges of a task', () => {
  let home: string;
  let cloud: FakeOpenAIServer;
  let runtime: Runtime | undefined;

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await cloud.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function start(pii: Record<string, unknown> = {}): Promise<Runtime> {
    home = mkdtempSync(join(tmpdir(), 'agentd-pii-policy-'));
    // The model repeats the placeholder it was given, as models do when asked to address someone.
    cloud = await startFakeOpenAIServer({
      script: (request) => {
        const body = JSON.stringify(request.body);
        // A provider error that quotes personal data: its message ends up as a span's status message.
        if (body.includes('bounce')) return { status: 400, errorMessage: `mailbox ${EMAIL} does not exist` };
        if (body.includes('Who handles refunds')) return { text: `Contact ${EMAIL} for the refund.` };
        const placeholder = /⟦EMAIL_\d+⟧/.exec(body)?.[0];
        return { text: placeholder ? `Dear ${placeholder}, your refund is on its way.` : 'Refund sent.' };
      },
    });
    const config = loadConfig({
      env: { AGENTD_HOME: home },
      files: [],
      cwd: home,
      userHome: home,
      overrides: {
        providers: { cloud: { type: 'openai-compatible', baseUrl: cloud.baseUrl, local: false } },
        models: { default: 'cloud/big', catalog: [{ id: 'cloud/big', inputPerMTok: 3, outputPerMTok: 15 }] },
        memory: { enabled: false },
        security: { pii },
      },
    });
    runtime = await createRuntime({ loadedConfig: config, detectLocalServer: false, maxRetries: 0 });
    return runtime;
  }

  const chatBodies = () =>
    cloud.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => JSON.stringify(r.body));

  function storedSpans(): string {
    const db = new Database(join(home, 'agentd.db'), { readonly: true });
    try {
      return JSON.stringify(db.prepare('SELECT * FROM spans').all());
    } finally {
      db.close();
    }
  }

  it('masks the prompt to a hosted model by default and restores the value in the output', async () => {
    const rt = await start();
    const task = await rt.tasks.run({ prompt: `Write to ${EMAIL} that the refund is on its way.` });
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    const [sent] = chatBodies();
    expect(sent).toContain('⟦EMAIL_1⟧');
    expect(sent).not.toContain(EMAIL);
    expect(task.output).toBe(`Dear ${EMAIL}, your refund is on its way.`);
  }, 30_000);

  it('sends the prompt as it is when prompts allow that type', async () => {
    const rt = await start({ prompts: { default: 'mask', EMAIL: 'allow' } });
    await rt.tasks.run({ prompt: `Write to ${EMAIL} that the refund is on its way.` });
    expect(chatBodies()[0]).toContain(EMAIL);
  }, 30_000);

  it('fails the call with pii.blocked, naming the type and not the value, when prompts block it', async () => {
    const rt = await start({ prompts: { 'secret-key': 'block' } });
    const task = await rt.tasks.run({ prompt: `Why does ${KEY} get a 401?` });
    expect(task.status).toBe('failed');
    expect(chatBodies()).toEqual([]);
    expect(task.error?.code).toBe('pii.blocked');
    expect(task.error?.message).toContain('secret-key');
    expect(JSON.stringify(task.error)).not.toContain(KEY);
  }, 30_000);

  it('masks the returned output for good when outputs mask', async () => {
    const rt = await start({ prompts: 'allow', outputs: 'mask' });
    const task = await rt.tasks.run({ prompt: 'Who handles refunds?' });
    expect(task.output).not.toContain(EMAIL);
    expect(task.output).toContain('[EMAIL_1]');
  }, 30_000);

  it('under outputs: mask, streams no text deltas and masks the text of every event, live and stored', async () => {
    const rt = await start({ prompts: 'allow', outputs: 'mask' });
    const submitted = await rt.tasks.submit({ prompt: 'Who handles refunds?' });
    const live: { type: string; data: unknown }[] = [];
    for await (const event of rt.tasks.events(submitted.id))
      live.push({ type: event.type, data: event.data });
    expect(live.map((e) => e.type)).not.toContain('text-delta');
    expect(JSON.stringify(live)).not.toContain(EMAIL);
    const stepEnd = live.find((e) => e.type === 'step-end' && (e.data as { text?: string }).text);
    expect((stepEnd?.data as { text: string }).text).toContain('[EMAIL_1]');
    // Replayed from the store, as a later follower or the dashboard sees them.
    const replayed: unknown[] = [];
    for await (const event of rt.tasks.events(submitted.id)) replayed.push(event);
    expect(JSON.stringify(replayed)).not.toContain(EMAIL);
    expect(JSON.stringify(replayed)).toContain('[EMAIL_1]');
  }, 30_000);

  it('by default (outputs: allow) streams the text deltas with the value', async () => {
    const rt = await start({ prompts: 'allow' });
    const submitted = await rt.tasks.submit({ prompt: 'Who handles refunds?' });
    const live: string[] = [];
    for await (const event of rt.tasks.events(submitted.id)) live.push(JSON.stringify(event));
    expect(live.join('')).toContain(EMAIL);
  }, 30_000);

  it.each([
    ['masks it by default', {}, false],
    ['keeps it under traces: allow', { traces: 'allow' }, true],
  ] as const)(
    'a planted e-mail address in a span: %s',
    async (_name, traces, present) => {
      const rt = await start({ prompts: 'allow', ...traces });
      const task = await rt.tasks.run({ prompt: `Send the bounce notice to ${EMAIL}.` });
      expect(task.status).toBe('failed');
      const spans = storedSpans();
      expect(spans).toContain('does not exist');
      expect(spans.includes(EMAIL)).toBe(present);
    },
    30_000,
  );
});
