import type { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../executor/index.js';
import type { SpanRecord } from '../runtime/index.js';
import type { FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime, FAKE_PRICES } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { createApp } from './create-app.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

interface ErrorBody {
  error: { code: string; message: string; path?: string };
}

interface Sent<B> {
  status: number;
  contentType: string | null;
  text: string;
  body: B;
}

/** Fails when a response body leaks a stack trace or source locations. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/\.ts:\d/);
}

/** One in-process request; JSON bodies are parsed, and no body may contain a stack trace. */
async function send<B = unknown>(
  app: Hono,
  path: string,
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Sent<B>> {
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const res = await app.request(path, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  expectNoStackTrace(text);
  const contentType = res.headers.get('content-type');
  return {
    status: res.status,
    contentType,
    text,
    body: (contentType?.includes('application/json') ? JSON.parse(text) : undefined) as B,
  };
}

const post = <B = TaskResult>(app: Hono, path: string, body: unknown) =>
  send<B>(app, path, { method: 'POST', body });

/** Polls (bounded) until `check` holds; fails the test if it never does. */
async function until<T>(probe: () => Promise<T> | T, check: (value: T) => boolean, tries = 500): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (check(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never held');
}

const finished = (task: TaskResult) => ['succeeded', 'failed', 'cancelled'].includes(task.status);

async function appWith(
  script: FakeTurn[] | ((call: { promptText: string }) => FakeTurn),
  options: { steppingClock?: boolean } = {},
) {
  let now = Date.now();
  t = await createTestRuntime({
    script,
    // Each reading one ms later, so tasks created back to back still sort by creation time.
    ...(options.steppingClock ? { runtime: { clock: { now: () => (now += 1) } } } : {}),
  });
  return { app: createApp({ runtime: t.runtime }), model: t.model };
}

function fakeCost(inputTokens: number, outputTokens: number): number {
  return (inputTokens * FAKE_PRICES.inputPerMTok + outputTokens * FAKE_PRICES.outputPerMTok) / 1_000_000;
}

interface SseEvent {
  event: string;
  id: number | undefined;
  data: Record<string, unknown>;
}

/** Parses complete `text/event-stream` blocks. */
function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const fields = new Map<string, string[]>();
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        fields.set(name, [...(fields.get(name) ?? []), value]);
      }
      const id = fields.get('id')?.[0];
      return {
        event: fields.get('event')?.[0] ?? 'message',
        id: id === undefined ? undefined : Number(id),
        data: JSON.parse((fields.get('data') ?? []).join('\n')) as Record<string, unknown>,
      };
    });
}

/** Reads an SSE body incrementally: `until` returns once a matching event has arrived. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  const complete = () => parseSse(buffer.slice(0, buffer.lastIndexOf('\n\n') + 2));
  return {
    async until(predicate: (event: SseEvent) => boolean): Promise<SseEvent[]> {
      while (!complete().some(predicate)) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended before the expected event; got ${buffer}`);
        buffer += decoder.decode(chunk.value, { stream: true });
      }
      return complete();
    },
    async rest(): Promise<SseEvent[]> {
      while (!done) {
        const chunk = await reader.read();
        if (chunk.done) done = true;
        else buffer += decoder.decode(chunk.value, { stream: true });
      }
      expectNoStackTrace(buffer);
      return parseSse(buffer);
    },
  };
}

describe('POST /v1/tasks', () => {
  it('accepts a prompt with 202 and the task later shows the scripted output, its cost and one model call', async () => {
    const { app } = await appWith([
      { text: 'Tides pull the moon', usage: { inputTokens: 1200, outputTokens: 300 } },
    ]);
    const created = await post(app, '/v1/tasks', { prompt: 'Write a haiku about tides' });
    expect(created.status).toBe(202);
    expect(created.body.id).toMatch(/^task_/);
    expect(['queued', 'running', 'succeeded']).toContain(created.body.status);

    const done = await until(
      async () => (await send<TaskResult>(app, `/v1/tasks/${created.body.id}`)).body,
      finished,
    );
    expect(done).toMatchObject({
      id: created.body.id,
      status: 'succeeded',
      prompt: 'Write a haiku about tides',
      output: 'Tides pull the moon',
      error: null,
      cost: { inputTokens: 1200, outputTokens: 300 },
      modelCalls: 1,
      simulated: false,
    });
    expect(done.cost.usd).toBeGreaterThan(0);
    expect(done.cost.usd).toBeCloseTo(fakeCost(1200, 300), 12);
  });

  it('answers with the finished result when asked to wait', async () => {
    const { app } = await appWith([{ text: 'waited for', usage: { inputTokens: 10, outputTokens: 4 } }]);
    const res = await post(app, '/v1/tasks?wait=true', { prompt: 'hello' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'succeeded', output: 'waited for', modelCalls: 1 });
    expect(res.body.timings.finishedAt).not.toBeNull();
  });

  it('runs an inline agent spec with its instructions', async () => {
    const { app, model } = await appWith([{ text: 'a poem' }]);
    const res = await post(app, '/v1/tasks?wait=true', {
      prompt: 'Write about the sea',
      agent: { name: 'poet', instructions: 'You write short poems.' },
    });
    expect(res.body).toMatchObject({ status: 'succeeded', output: 'a poem' });
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]?.promptText).toContain('You write short poems.');
    expect(model.calls[0]?.promptText).toContain('Write about the sea');
  });

  it('runs an inline sequential team, handing the first agent output to the second agent', async () => {
    const { app, model } = await appWith([
      { text: 'DRAFT: waves fold over' },
      { text: 'FINAL: waves fold, tides return' },
    ]);
    const res = await post(app, '/v1/tasks?wait=true', {
      prompt: 'Write a haiku about tides',
      team: {
        name: 'writers',
        topology: 'sequential',
        agents: [
          { name: 'drafter', instructions: 'Draft it.' },
          { name: 'editor', instructions: 'Polish it.' },
        ],
      },
    });
    expect(res.body).toMatchObject({
      status: 'succeeded',
      output: 'FINAL: waves fold, tides return',
      modelCalls: 2,
    });
    expect(model.calls).toHaveLength(2);
    expect(model.calls[0]?.promptText).not.toContain('DRAFT: waves fold over');
    expect(model.calls[1]?.promptText).toContain('Write a haiku about tides');
    expect(model.calls[1]?.promptText).toContain('DRAFT: waves fold over');
    expect(model.calls[1]?.promptText).toContain('Polish it.');
  });
});

describe('bad requests', () => {
  it('rejects a body that is not JSON with 400 request.invalid_json', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<ErrorBody>(app, '/v1/tasks', {
      method: 'POST',
      rawBody: '{"prompt": "unterminated',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.invalid_json');
    expect(res.body.error.message).toEqual(expect.any(String));
  });

  it('rejects a JSON body that is not an object', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<ErrorBody>(app, '/v1/tasks', { method: 'POST', rawBody: '["a prompt"]' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.invalid_json');
  });

  it('rejects a missing prompt with 400 and the path of the offending key', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await post<ErrorBody>(app, '/v1/tasks', {});
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'request.invalid', path: 'prompt' });
    expect(res.body.error.message).toContain('prompt');
  });

  it('rejects an unknown field and names it', async () => {
    const { app, model } = await appWith([{ text: 'unused' }]);
    const res = await post<ErrorBody>(app, '/v1/tasks', { prompt: 'hello', promt: 'typo' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.invalid');
    expect(res.body.error.message).toContain('promt');
    expect((await send<{ tasks: TaskResult[] }>(app, '/v1/tasks')).body.tasks).toEqual([]);
    expect(model.calls).toHaveLength(0);
  });

  it('rejects an agent spec with a bad name and names the key', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await post<ErrorBody>(app, '/v1/tasks', {
      prompt: 'hello',
      agent: { name: 'has spaces in it' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'request.invalid', path: 'agent.name' });
    expect(res.body.error.message).toContain('agent.name');
  });

  it('rejects a model of an unknown provider without creating a task', async () => {
    const { app, model } = await appWith([{ text: 'unused' }]);
    const res = await post<ErrorBody>(app, '/v1/tasks', { prompt: 'hello', model: 'nope/x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('model.unknown_provider');
    expect(res.body.error.message).toContain('nope');
    const list = await send<{ tasks: TaskResult[] }>(app, '/v1/tasks');
    expect(list.status).toBe(200);
    expect(list.body.tasks).toEqual([]);
    expect(model.calls).toHaveLength(0);
  });

  it('answers an unknown task with 404 task.not_found on every task route', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    for (const [method, path] of [
      ['GET', '/v1/tasks/task_missing'],
      ['POST', '/v1/tasks/task_missing/cancel'],
      ['GET', '/v1/tasks/task_missing/spans'],
    ] as const) {
      const res = await send<ErrorBody>(app, path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('task.not_found');
    }
  });

  it('answers an unknown route with a 404 JSON error', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<ErrorBody>(app, '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route.not_found');
  });

  it('hides the message and stack of an unexpected internal error behind a 500', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    app.get('/v1/test-only-explodes', () => {
      throw new Error('secret detail from /srv/agentd/src/x.ts:12:3');
    });
    const res = await send<ErrorBody>(app, '/v1/test-only-explodes');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal.error');
    expect(res.text).not.toContain('secret detail');
  });

  it('rejects a bad list query with 400', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<ErrorBody>(app, '/v1/tasks?status=sleeping');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'request.invalid', path: 'status' });
  });
});

describe('GET /v1/tasks', () => {
  it('lists newest first, pages with limit and before, and filters by status', async () => {
    const { app } = await appWith(
      (call) =>
        call.promptText.includes('please fail') ? { error: new Error('model down') } : { text: 'ok' },
      {
        steppingClock: true,
      },
    );
    const ids: string[] = [];
    for (const prompt of ['first', 'second please fail', 'third', 'fourth']) {
      ids.push((await post(app, '/v1/tasks?wait=true', { prompt })).body.id);
    }
    const newestFirst = [...ids].reverse();

    const all = await send<{ tasks: TaskResult[]; next: string | null }>(app, '/v1/tasks');
    expect(all.body.tasks.map((task) => task.id)).toEqual(newestFirst);
    expect(all.body.next).toBeNull();

    const page1 = await send<{ tasks: TaskResult[]; next: string | null }>(app, '/v1/tasks?limit=2');
    expect(page1.body.tasks.map((task) => task.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.body.next).toBe(newestFirst[1]);
    const page2 = await send<{ tasks: TaskResult[]; next: string | null }>(
      app,
      `/v1/tasks?limit=2&before=${page1.body.next}`,
    );
    expect(page2.body.tasks.map((task) => task.id)).toEqual(newestFirst.slice(2, 4));
    const page3 = await send<{ tasks: TaskResult[]; next: string | null }>(
      app,
      `/v1/tasks?limit=2&before=${page2.body.next}`,
    );
    expect(page3.body.tasks).toEqual([]);
    expect(page3.body.next).toBeNull();

    const failed = await send<{ tasks: TaskResult[] }>(app, '/v1/tasks?status=failed');
    expect(failed.body.tasks.map((task) => task.id)).toEqual([ids[1]]);
    const succeeded = await send<{ tasks: TaskResult[] }>(app, '/v1/tasks?status=succeeded');
    expect(succeeded.body.tasks.map((task) => task.id)).toEqual([ids[3], ids[2], ids[0]]);
    const both = await send<{ tasks: TaskResult[] }>(
      app,
      '/v1/tasks?status=failed&status=succeeded&limit=10',
    );
    expect(both.body.tasks).toHaveLength(4);
  });
});

describe('POST /v1/tasks/:id/cancel', () => {
  it('cancels a task whose model call blocks, aborting the call', async () => {
    const { app, model } = await appWith([{ waitFor: 'forever', text: 'never' }]);
    const created = await post(app, '/v1/tasks', { prompt: 'wait for me' });
    await until(
      () => model.calls.length,
      (n) => n === 1,
    );
    expect(model.calls[0]?.options.abortSignal?.aborted).toBe(false);

    const cancelled = await send<TaskResult>(app, `/v1/tasks/${created.body.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(model.calls[0]?.options.abortSignal?.aborted).toBe(true);

    const after = await send<TaskResult>(app, `/v1/tasks/${created.body.id}`);
    expect(after.body).toMatchObject({
      status: 'cancelled',
      output: null,
      error: { code: 'task.cancelled' },
    });
  });

  it('returns a finished task unchanged', async () => {
    const { app } = await appWith([{ text: 'done already' }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'quick' });
    const res = await send<TaskResult>(app, `/v1/tasks/${created.body.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', output: 'done already', error: null });
  });
});

describe('GET /v1/tasks/:id/events', () => {
  it('replays a finished task as task-start, step-start, step-end, task-end with increasing ids', async () => {
    const { app } = await appWith([{ text: 'replayed text', usage: { inputTokens: 7, outputTokens: 3 } }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'replay me' });
    const res = await app.request(`/v1/tasks/${created.body.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expectNoStackTrace(text);
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual(['task-start', 'step-start', 'step-end', 'task-end']);
    const ids = events.map((e) => e.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number);
    expect(events[0]?.data).toMatchObject({ taskId: created.body.id, prompt: 'replay me' });
    expect(events[2]?.data).toMatchObject({
      kind: 'model',
      text: 'replayed text',
      inputTokens: 7,
      outputTokens: 3,
    });
    expect(events[3]?.data).toMatchObject({
      taskId: created.body.id,
      status: 'succeeded',
      output: 'replayed text',
    });
  });

  it('streams a live task as it runs and ends the stream after task-end', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { app } = await appWith([{ waitFor: gate, text: 'the live answer' }]);
    const created = await post(app, '/v1/tasks', { prompt: 'stream me' });
    const res = await app.request(`/v1/tasks/${created.body.id}/events`);
    expect(res.status).toBe(200);
    const reader = sseReader(res.body as ReadableStream<Uint8Array>);

    const early = await reader.until((e) => e.event === 'step-start');
    expect(early.map((e) => e.event)).toEqual(['task-start', 'step-start']);
    // The model is still blocked: these events came from a running task, not a replay.
    expect((await send<TaskResult>(app, `/v1/tasks/${created.body.id}`)).body.status).toBe('running');

    release();
    const events = await reader.rest();
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('task-start');
    expect(names.at(-1)).toBe('task-end');
    expect(names.filter((n) => n !== 'text-delta')).toEqual([
      'task-start',
      'step-start',
      'step-end',
      'task-end',
    ]);
    const deltas = events.filter((e) => e.event === 'text-delta');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.map((e) => e.data['delta']).join('')).toBe('the live answer');
    expect(events.at(-1)?.data).toMatchObject({ status: 'succeeded', output: 'the live answer' });
  });

  it('ends the stream of a failed task with task-error carrying the error code', async () => {
    const { app } = await appWith([{ error: new Error('model down') }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'fail please' });
    expect(created.body.status).toBe('failed');
    const res = await app.request(`/v1/tasks/${created.body.id}/events`);
    const text = await res.text();
    expectNoStackTrace(text);
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual(['task-start', 'step-start', 'step-end', 'task-error']);
    expect(events[2]?.data).toMatchObject({ error: { code: 'model.call_failed' } });
    expect(events[3]?.data).toMatchObject({ status: 'failed', error: { code: 'model.call_failed' } });
  });

  it('replays only the events after Last-Event-ID', async () => {
    const { app } = await appWith([{ text: 'resume me' }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'reconnect' });
    const all = parseSse(await (await app.request(`/v1/tasks/${created.body.id}/events`)).text());
    const stepStart = all.find((e) => e.event === 'step-start');
    expect(stepStart?.id).toBeDefined();

    const res = await app.request(`/v1/tasks/${created.body.id}/events`, {
      headers: { 'Last-Event-ID': String(stepStart?.id) },
    });
    expect(res.status).toBe(200);
    const later = parseSse(await res.text());
    expect(later.map((e) => e.event)).toEqual(['step-end', 'task-end']);
    expect(later.every((e) => (e.id as number) > (stepStart?.id as number))).toBe(true);
  });

  it('answers an unknown task with a 404 JSON error, not an empty stream', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<ErrorBody>(app, '/v1/tasks/task_missing/events');
    expect(res.status).toBe(404);
    expect(res.contentType).toContain('application/json');
    expect(res.body.error.code).toBe('task.not_found');
  });
});

describe('GET /v1/openapi.json', () => {
  it('documents every route as OpenAPI 3.1, with the task request body', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<{
      openapi: string;
      info: { title: string; version: string };
      paths: Record<
        string,
        Record<
          string,
          {
            operationId?: string;
            requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
          }
        >
      >;
    }>(app, '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    expect(res.body.info.title).toBe('agentd');
    const paths = res.body.paths;
    for (const path of [
      '/v1/tasks',
      '/v1/tasks/{id}',
      '/v1/tasks/{id}/cancel',
      '/v1/tasks/{id}/events',
      '/v1/health',
      '/v1/models',
    ]) {
      expect(Object.keys(paths), path).toContain(path);
    }
    expect(Object.keys(paths['/v1/tasks'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(paths['/v1/tasks/{id}/cancel']?.['post']).toBeDefined();
    expect(paths['/v1/tasks/{id}/events']?.['get']).toBeDefined();
    const schema = paths['/v1/tasks']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(schema?.['properties']).toHaveProperty('prompt');
    expect(schema?.['required']).toContain('prompt');
  });
});

describe('health and auth', () => {
  it('answers GET /v1/health with 200 and the default model', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<{ status: string; defaultModel: string; simulated: boolean }>(app, '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', defaultModel: 'fake/scripted', simulated: false });
  });

  it('with an auth token, requires the bearer token on every route but health', async () => {
    t = await createTestRuntime({ script: [{ text: 'unused' }] });
    const app = createApp({ runtime: t.runtime, authToken: 'correct-horse-battery' });

    const anonymous = await send<ErrorBody>(app, '/v1/tasks');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('auth.required');

    const wrong = await send<ErrorBody>(app, '/v1/tasks', {
      headers: { authorization: 'Bearer wrong-horse-battery' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('auth.required');

    const unauthorizedPost = await send<ErrorBody>(app, '/v1/tasks', {
      method: 'POST',
      body: { prompt: 'x' },
    });
    expect(unauthorizedPost.status).toBe(401);

    const authorized = await send<{ tasks: TaskResult[] }>(app, '/v1/tasks', {
      headers: { authorization: 'Bearer correct-horse-battery' },
    });
    expect(authorized.status).toBe(200);
    expect(authorized.body.tasks).toEqual([]);

    expect((await send(app, '/v1/health')).status).toBe(200);
  });
});

describe('GET /v1/tasks/:id/spans', () => {
  it('returns task, agent and model spans with GenAI attributes, chained model → agent → task', async () => {
    const { app } = await appWith([{ text: 'traced', usage: { inputTokens: 40, outputTokens: 9 } }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'trace me' });
    const res = await send<{ spans: SpanRecord[] }>(app, `/v1/tasks/${created.body.id}/spans`);
    expect(res.status).toBe(200);
    const { spans } = res.body;
    expect(spans.map((s) => s.kind).sort()).toEqual(['agent', 'model', 'task']);
    const byKind = (kind: string) => spans.find((s) => s.kind === kind) as SpanRecord;
    const [task, agent, model] = [byKind('task'), byKind('agent'), byKind('model')];
    expect(model.attributes).toMatchObject({
      'gen_ai.request.model': 'scripted',
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 9,
      'agentd.task.id': created.body.id,
    });
    expect(model.parentSpanId).toBe(agent.spanId);
    expect(agent.parentSpanId).toBe(task.spanId);
    expect(task.parentSpanId).toBeNull();
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(spans.every((s) => s.taskId === created.body.id && s.status === 'ok')).toBe(true);
  });
});
