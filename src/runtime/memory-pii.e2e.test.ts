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

// Personal data must not travel through memory from one task into another task's prompt for a
// hosted model (issue 15 item 1). Two fake OpenAI-protocol servers stand for a hosted provider and
// a local one; their captured request bodies are what the tests look at.
const EMAIL = 'jane.roe@example.com';
const CARD = '4111 1111 1111 1111';
const VALUES = [EMAIL, CARD, '4111111111111111'];

describe('personal data and memory', () => {
  let home: string;
  let cloud: FakeOpenAIServer;
  let onPremises: FakeOpenAIServer;
  let runtime: Runtime | undefined;

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await cloud.close();
    await onPremises.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function start(policy?: 'mask' | 'drop' | 'keep', memory: object = {}): Promise<Runtime> {
    home = mkdtempSync(join(tmpdir(), 'agentd-pii-'));
    // Both repeat the personal data of a prompt that has some, as a model often does.
    const answer = (request: { body?: unknown }) => ({
      text: JSON.stringify(request.body).includes(EMAIL)
        ? `The customer email is ${EMAIL}. The card is ${CARD}.`
        : 'The refund policy covers kettles for a year.',
    });
    cloud = await startFakeOpenAIServer({ script: answer });
    onPremises = await startFakeOpenAIServer({ script: answer });
    const config = loadConfig({
      env: { AGENTD_HOME: home },
      files: [],
      cwd: home,
      userHome: home,
      overrides: {
        providers: {
          cloud: { type: 'openai-compatible', baseUrl: cloud.baseUrl, local: false },
          onprem: { type: 'openai-compatible', baseUrl: onPremises.baseUrl, local: true },
        },
        models: {
          default: 'cloud/big',
          catalog: [
            { id: 'cloud/big', inputPerMTok: 3, outputPerMTok: 15 },
            { id: 'onprem/small', inputPerMTok: 0, outputPerMTok: 0 },
          ],
        },
        memory: { embeddings: 'none', ...memory },
        // Prompts go out unmasked here, so what memory does is all that stands between the tasks.
        security: { pii: { prompts: 'allow', ...(policy ? { memory: policy } : {}) } },
      },
    });
    runtime = await createRuntime({ loadedConfig: config, detectLocalServer: false, maxRetries: 0 });
    return runtime;
  }

  const hybrid = {
    name: 'private',
    topology: 'hybrid' as const,
    options: { inner: 'single', mode: 'local' },
    agents: [{ name: 'clerk', role: 'a billing clerk', tools: [] }],
  };
  const chatBodies = (server: FakeOpenAIServer) =>
    server.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => JSON.stringify(r.body));
  /** Every text column of the memories table and its full-text index, as one string. */
  function storedMemory(): string {
    const db = new Database(join(home, 'agentd.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT content, provenance, tags FROM memories').all();
      const fts = db.prepare('SELECT content FROM memories_fts').all();
      return JSON.stringify([rows, fts]);
    } finally {
      db.close();
    }
  }

  it('keeps what a local-only task learnt away from the next task’s hosted model (default policy)', async () => {
    const rt = await start();
    const first = await rt.tasks.run({
      prompt: `Refund the customer ${EMAIL}, card ${CARD}, for the broken kettle.`,
      team: hybrid,
    });
    expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
    expect(chatBodies(cloud)).toEqual([]);

    const second = await rt.tasks.run({ prompt: 'Which customer asked about the refund for the kettle?' });
    expect(second.status).toBe('succeeded');
    const sent = chatBodies(cloud);
    expect(sent).toHaveLength(1);
    for (const value of VALUES) expect(sent[0]).not.toContain(value);
    // Not even masked: the hybrid task's memories are recalled only by local-only tasks.
    expect(sent[0]).not.toContain('Recalled memory');
    // In memory, the values are gone for good: placeholders of their kind instead.
    const stored = storedMemory();
    for (const value of VALUES) expect(stored).not.toContain(value);
    expect(stored).toContain('[EMAIL_1]');
    expect(stored).toContain('[PAYMENT_CARD_1]');

    // Another local-only task does recall them (its calls with them stay on the local model).
    await rt.tasks.run({ prompt: 'Which customer asked about the refund for the kettle?', team: hybrid });
    const local = chatBodies(onPremises);
    expect(local.at(-1)).toContain('Recalled memory');
    expect(local.at(-1)).toContain('[EMAIL_1]');
  }, 30_000);

  it('keeps a local-only task’s own memory calls (facts by a model) on the local model', async () => {
    const rt = await start(undefined, { facts: { extract: 'model' } });
    const task = await rt.tasks.run({
      prompt: `Refund the customer ${EMAIL}, card ${CARD}, for the broken kettle.`,
      team: hybrid,
    });
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    // The fact extractor reads the task's prompt and output: it follows the team's hybrid policy.
    expect(chatBodies(cloud)).toEqual([]);
    expect(chatBodies(onPremises).some((body) => body.includes('Return the facts as JSON'))).toBe(true);
  }, 30_000);

  it('keeps the judges of a local-only task on the local model: they read its prompt and output', async () => {
    const rt = await start(undefined, { enabled: false });
    await rt.tasks.run({
      prompt: `Refund the customer ${EMAIL}, card ${CARD}, for the broken kettle.`,
      team: hybrid,
      quality: {
        judging: 'single',
        maxRounds: 1,
        rubric: {
          name: 'refund',
          threshold: 0.5,
          criteria: [{ name: 'accuracy', description: 'correct', weight: 1 }],
        },
      },
    });
    expect(chatBodies(cloud)).toEqual([]);
    expect(chatBodies(onPremises).some((body) => body.includes('evaluator'))).toBe(true);
  }, 30_000);

  it('masks personal data in what a plain task leaves; the next hosted call sees placeholders only', async () => {
    const rt = await start('mask');
    await rt.tasks.run({ prompt: `Refund the customer ${EMAIL} for the broken kettle.` });
    await rt.tasks.run({ prompt: 'Who asked about the refund for the broken kettle?' });
    const sent = chatBodies(cloud);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toContain('Recalled memory');
    expect(sent[1]).toContain('[EMAIL_1]');
    for (const value of VALUES) expect(sent[1]).not.toContain(value);
    const facts = await rt.memory.search({ text: 'customer email', layers: ['semantic'], limit: 5 });
    expect(facts.map((f) => f.memory.content)).toContain('The customer email is [EMAIL_1].');
    expect(facts.find((f) => f.memory.content.includes('[EMAIL_1]'))?.memory.tags).toContain('pii-masked');
  }, 30_000);

  it('masks before it shortens: a value at the cut is not stored half-masked', async () => {
    const rt = await start();
    await rt.tasks.run({ prompt: `${'x'.repeat(176)} ${CARD}` });
    const stored = storedMemory();
    expect(stored).not.toContain('4111');
    expect(stored).toContain('[PAYMENT_CARD_1]');
  }, 30_000);

  it('drops every memory with personal data under drop, and refuses one added by hand', async () => {
    const rt = await start('drop');
    const task = await rt.tasks.run({ prompt: `Refund the customer ${EMAIL} for the broken kettle.` });
    expect(task.status).toBe('succeeded');
    for (const value of VALUES) expect(storedMemory()).not.toContain(value);
    expect((await rt.memory.stats()).layers.episodic).toBe(0);
    await expect(rt.memory.add({ content: `Jane's card is ${CARD}.` })).rejects.toMatchObject({
      code: 'memory.refused',
      message: expect.stringContaining('security.pii.memory: drop'),
    });
    // Without personal data, memory works as ever.
    await rt.tasks.run({ prompt: 'Summarise the refund policy for kettles.' });
    expect((await rt.memory.stats()).layers.episodic).toBe(1);
  }, 30_000);

  it('keeps personal data verbatim under keep, tagged pii', async () => {
    const rt = await start('keep');
    await rt.tasks.run({ prompt: `Refund the customer ${EMAIL} for the broken kettle.` });
    expect(storedMemory()).toContain(EMAIL);
    const [episode] = await rt.memory.search({ text: 'kettle refund', layers: ['episodic'], limit: 1 });
    expect(episode?.memory.tags).toContain('pii');
  }, 30_000);

  it('masks an edit that brings personal data in', async () => {
    const rt = await start();
    const added = await rt.memory.add({ content: 'The invoice contact is in the CRM.' });
    const edited = await rt.memory.edit(added.memory.id, { content: `The invoice contact is ${EMAIL}.` });
    expect(edited.content).toBe('The invoice contact is [EMAIL_1].');
    expect(edited.tags).toContain('pii-masked');
  }, 30_000);
});
