import type { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../core/logger.js';
import type { TaskResult } from '../executor/index.js';
import type { SpanRecord } from '../runtime/index.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime, FAKE_PRICES } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { defineTool } from '../tools/index.js';
import { createApp } from './create-app.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

interface ErrorBody {
  error: { code: string; message: string; path?: string; requestId?: string };
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
      async () => {
        const task = (await send<TaskResult>(app, `/v1/tasks/${created.body.id}`)).body;
        return finished(task) && task;
      },
      { message: 'the task to finish' },
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

  it('answers 200 (not 202) with the finished result when asked to wait', async () => {
    const { app } = await appWith([{ text: 'waited for', usage: { inputTokens: 10, outputTokens: 4 } }]);
    const res = await post(app, '/v1/tasks?wait=true', { prompt: 'hello' });
    expect(res.status).toBe(200);
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

  it('takes a "__proto__" key as an unknown field, not as the prototype of the input', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<ErrorBody>(app, '/v1/tasks', {
      method: 'POST',
      rawBody: '{"__proto__": {"prompt": "from the prototype"}}',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.invalid');
    expect((await send<{ tasks: unknown[] }>(app, '/v1/tasks')).body.tasks).toEqual([]);
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
      ['POST', '/v1/tasks/task_missing/resume'],
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

  it('hides the message and stack of an unexpected internal error behind a 500, logging both server side', async () => {
    t = await createTestRuntime({ script: [{ text: 'unused' }] });
    const logged: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const logger = {
      ...silentLogger,
      error: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
    };
    const app = createApp({ runtime: t.runtime, logger });
    app.get('/v1/test-only-explodes', () => {
      throw new Error('secret detail from /srv/agentd/src/x.ts:12:3');
    });
    const res = await send<ErrorBody>(app, '/v1/test-only-explodes');
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({
      code: 'internal.error',
      message: 'internal error; see the server log',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(res.text).not.toContain('secret detail');

    expect(logged).toHaveLength(1);
    expect(logged[0]?.fields).toMatchObject({
      method: 'GET',
      path: '/v1/test-only-explodes',
      code: 'internal.error',
      message: 'secret detail from /srv/agentd/src/x.ts:12:3',
      requestId: (res.body.error as { requestId?: string }).requestId,
    });
    expect(logged[0]?.fields?.['stack']).toContain('create-app.test.ts');
    // Client errors are the client's business, not the operator's.
    await send(app, '/v1/tasks/task_missing');
    await post(app, '/v1/tasks', {});
    expect(logged).toHaveLength(1);
  });

  it('answers an unknown tool named in the body with 400, keeping 404 for resources in the URL', async () => {
    const { app, model } = await appWith([{ text: 'unused' }]);
    const res = await post<ErrorBody>(app, '/v1/tasks', {
      prompt: 'hello',
      agent: { name: 'toolish', tools: ['no_such_tool'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('tool.not_found');
    expect(model.calls).toHaveLength(0);
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
        // The task's own prompt ends the model's input (recalled memory of earlier tasks comes first).
        call.promptText.trimEnd().endsWith('please fail')
          ? { error: new Error('model down') }
          : { text: 'ok' },
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

describe('POST /v1/tasks/:id/resume', () => {
  it('refuses a task that is not interrupted with a 409 saying what it is', async () => {
    const { app } = await appWith([{ text: 'done' }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'quick' });
    expect(created.body.status).toBe('succeeded');
    const res = await post<ErrorBody>(app, `/v1/tasks/${created.body.id}/resume`, {});
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'task.not_interrupted',
      message: expect.stringContaining('has succeeded'),
    });
  });
});

describe('POST /v1/tasks/:id/cancel', () => {
  it('cancels a task whose model call blocks, aborting the call', async () => {
    const { app, model } = await appWith([{ waitFor: 'forever', text: 'never' }]);
    const created = await post(app, '/v1/tasks', { prompt: 'wait for me' });
    await until(() => model.calls.length === 1, { message: 'the model call' });
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

  it('refuses to cancel a finished task with 409 task.finished, leaving it unchanged', async () => {
    const { app } = await appWith([{ text: 'done already' }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'quick' });
    const res = await send<ErrorBody>(app, `/v1/tasks/${created.body.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('task.finished');
    expect(res.body.error.message).toContain('already succeeded');
    const after = await send<TaskResult>(app, `/v1/tasks/${created.body.id}`);
    expect(after.body).toMatchObject({ status: 'succeeded', output: 'done already', error: null });
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
    expect(events.map((e) => e.event)).toEqual([
      'task-start',
      'step-start',
      'step-end',
      'agent-end',
      'task-end',
    ]);
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
    expect(events[3]?.data).toMatchObject({ agent: 'assistant', output: 'replayed text' });
    expect(events[4]?.data).toMatchObject({
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
      'agent-end',
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
    expect(later.map((e) => e.event)).toEqual(['step-end', 'agent-end', 'task-end']);
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

  it('documents query and header parameters, bearer security and every error status a route can give', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    interface Documented {
      parameters: { name: string; in: string }[];
      security: unknown[];
      responses: Record<string, unknown>;
    }
    const res = await send<{
      info: { description: string };
      paths: Record<string, Record<string, Documented>>;
    }>(app, '/v1/openapi.json');
    const create = res.body.paths['/v1/tasks']?.['post'] as Documented;
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'wait', in: 'query' }));
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(create.responses).sort()).toEqual([
      '200',
      '202',
      '400',
      '401',
      '403',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);

    const events = res.body.paths['/v1/tasks/{id}/events']?.['get'] as Documented;
    expect(events.parameters).toContainEqual(
      expect.objectContaining({ name: 'Last-Event-ID', in: 'header' }),
    );
    expect(events.responses).toHaveProperty('401');
    expect(events.responses).toHaveProperty('404');

    const health = res.body.paths['/v1/health']?.['get'] as Documented;
    expect(health.security).toEqual([]);
    expect(health.responses).not.toHaveProperty('401');
    expect(res.body.info.description).toContain('server.authToken');
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

  it('reads the bearer scheme in any case, challenges with WWW-Authenticate, and serves the API document openly', async () => {
    t = await createTestRuntime({ script: [{ text: 'unused' }] });
    const app = createApp({ runtime: t.runtime, authToken: 'correct-horse-battery' });

    const anonymous = await app.request('/v1/tasks');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await send(app, '/v1/tasks', {
        headers: { authorization: `${scheme} correct-horse-battery` },
      });
      expect(res.status, scheme).toBe(200);
    }
    expect(
      (await send(app, '/v1/tasks', { headers: { authorization: 'Basic correct-horse-battery' } })).status,
    ).toBe(401);
    expect((await send(app, '/v1/openapi.json')).status).toBe(200);
  });
});

describe('request guards', () => {
  it('refuses a POST body not declared as JSON with 415, creating no task', async () => {
    const { app, model } = await appWith([{ text: 'unused' }]);
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
    ]) {
      const res = await send<ErrorBody>(app, '/v1/tasks', {
        method: 'POST',
        rawBody: '{"prompt":"x"}',
        headers: { 'content-type': contentType },
      });
      expect(res.status, contentType).toBe(415);
      expect(res.body.error.code).toBe('request.unsupported_media_type');
    }
    const missing = await app.request('/v1/tasks', { method: 'POST', body: new Blob(['{"prompt":"x"}']) });
    expect(missing.status).toBe(415);
    expect((await send<{ tasks: TaskResult[] }>(app, '/v1/tasks')).body.tasks).toEqual([]);
    expect(model.calls).toHaveLength(0);

    const charset = await send(app, '/v1/tasks?wait=true', {
      method: 'POST',
      rawBody: '{"prompt":"x"}',
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    });
    expect(charset.status).toBe(200);
  });

  it('refuses a request from a foreign Origin with 403, whatever its method or body', async () => {
    const { app, model } = await appWith([{ text: 'unused' }]);
    const attempts: { origin: string; method: string; contentType?: string }[] = [
      { origin: 'http://evil.example', method: 'POST', contentType: 'text/plain' },
      { origin: 'http://evil.example', method: 'POST', contentType: 'application/json' },
      { origin: 'http://evil.example', method: 'GET' },
      // Another local web app is another origin too.
      { origin: 'http://localhost:5173', method: 'POST', contentType: 'application/json' },
      { origin: 'null', method: 'POST', contentType: 'application/json' },
    ];
    for (const { origin, method, contentType } of attempts) {
      const res = await send<ErrorBody>(app, '/v1/tasks', {
        method,
        ...(method === 'POST' ? { rawBody: '{"prompt":"x"}' } : {}),
        headers: { origin, ...(contentType ? { 'content-type': contentType } : {}) },
      });
      expect(res.status, `${method} from ${origin}`).toBe(403);
      expect(res.body.error.code).toBe('request.forbidden_origin');
    }
    expect(model.calls).toHaveLength(0);

    // The server's own pages (same loopback host and port) may call it.
    const own = await send(app, '/v1/tasks', { headers: { origin: 'http://localhost' } });
    expect(own.status).toBe(200);
  });

  it('serves an allowed origin, answering its CORS preflight', async () => {
    t = await createTestRuntime({ script: [{ text: 'from the dashboard' }] });
    const dashboard = 'http://localhost:5173';
    const app = createApp({ runtime: t.runtime, allowedOrigins: [dashboard] });

    const preflight = await app.request('/v1/tasks', {
      method: 'OPTIONS',
      headers: {
        origin: dashboard,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(dashboard);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');

    const res = await send<TaskResult>(app, '/v1/tasks?wait=true', {
      method: 'POST',
      body: { prompt: 'hi' },
      headers: { origin: dashboard },
    });
    expect(res.status).toBe(200);
    expect(res.body.output).toBe('from the dashboard');

    const other = await send(app, '/v1/tasks', { headers: { origin: 'http://localhost:3000' } });
    expect(other.status).toBe(403);
  });

  it('without an auth token, serves only loopback Host names (DNS rebinding)', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    for (const host of [
      'evil.example:7070',
      'evil.example',
      '127.0.0.1.evil.example',
      '192.168.1.5:7070',
      'localhost.',
    ]) {
      const res = await send<ErrorBody>(app, '/v1/tasks', { headers: { host } });
      expect(res.status, host).toBe(403);
      expect(res.body.error.code).toBe('request.forbidden_host');
    }
    for (const host of ['localhost', 'localhost:7070', '127.0.0.1:7070', '[::1]:7070', 'LOCALHOST:1']) {
      expect((await send(app, '/v1/tasks', { headers: { host } })).status, host).toBe(200);
    }
  });

  it('with an auth token, serves any Host, since a rebinding page cannot know the token', async () => {
    t = await createTestRuntime({ script: [{ text: 'unused' }] });
    const app = createApp({ runtime: t.runtime, authToken: 'correct-horse-battery' });
    const res = await send(app, '/v1/tasks', {
      headers: { host: 'agentd.internal:7070', authorization: 'Bearer correct-horse-battery' },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a body over 1 MiB with 413 request.too_large, creating no task', async () => {
    const { app, model } = await appWith([{ text: 'unused' }]);
    const huge = JSON.stringify({ prompt: 'x'.repeat(1024 * 1024) });
    const res = await send<ErrorBody>(app, '/v1/tasks', { method: 'POST', rawBody: huge });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('request.too_large');

    const declared = await send<ErrorBody>(app, '/v1/tasks', {
      method: 'POST',
      rawBody: huge,
      headers: { 'content-length': String(huge.length) },
    });
    expect(declared.status).toBe(413);
    expect(model.calls).toHaveLength(0);

    // Just under the limit the body is read, and validated like any other.
    const under = await send<ErrorBody>(app, '/v1/tasks', {
      method: 'POST',
      body: { prompt: 'x'.repeat(1024 * 1024 - 100) },
    });
    expect(under.body.error.code).toBe('request.invalid');
  });
});

describe('GET /v1/tasks/:id/spans', () => {
  it('returns task, team, agent, router and model spans with GenAI attributes, chained model → agent → team → task', async () => {
    const { app } = await appWith([{ text: 'traced', usage: { inputTokens: 40, outputTokens: 9 } }]);
    const created = await post(app, '/v1/tasks?wait=true', { prompt: 'trace me' });
    const res = await send<{ spans: SpanRecord[] }>(app, `/v1/tasks/${created.body.id}/spans`);
    expect(res.status).toBe(200);
    const { spans } = res.body;
    expect(spans.map((s) => s.kind).sort()).toEqual([
      'agent',
      ...Array<string>(4).fill('memory'),
      'model',
      'router',
      'task',
      'team',
    ]);
    expect(spans.filter((s) => s.kind === 'memory').map((s) => s.name)).toEqual([
      'memory.recall',
      'memory.episode',
      'memory.facts',
      'memory.procedure',
    ]);
    const byKind = (kind: string) => spans.find((s) => s.kind === kind) as SpanRecord;
    const [task, team, agent, model] = [byKind('task'), byKind('team'), byKind('agent'), byKind('model')];
    const decision = byKind('router');
    expect(decision.name).toBe('router.decision');
    expect(decision.parentSpanId).toBe(agent.spanId);
    expect(decision.attributes).toMatchObject({
      'agentd.router.chosen': 'fake/scripted',
      'agentd.router.reason': 'pinned by the agent; fallbacks ranked by cheapest',
    });
    expect(model.attributes).toMatchObject({
      'gen_ai.request.model': 'scripted',
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 9,
      'agentd.task.id': created.body.id,
    });
    expect(model.parentSpanId).toBe(agent.spanId);
    expect(agent.parentSpanId).toBe(team.spanId);
    expect(team.parentSpanId).toBe(task.spanId);
    expect(team.attributes).toMatchObject({ 'agentd.topology': 'single', 'agentd.team.depth': 0 });
    expect(task.parentSpanId).toBeNull();
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(spans.every((s) => s.taskId === created.body.id && s.status === 'ok')).toBe(true);
  });
});

describe('human reviews over HTTP', () => {
  /** A runtime whose agent asks to send an email (a tool needing approval) and then answers. */
  async function reviewApp() {
    const sent: unknown[] = [];
    const sendEmail = defineTool({
      name: 'send_email',
      description: 'Send an email',
      input: z.object({ to: z.string() }),
      requiresApproval: true,
      async execute(input) {
        sent.push(input);
        return { sent: true };
      },
    });
    t = await createTestRuntime({
      script: (call: FakeCall): FakeTurn =>
        /"type":"(json|error-text)"/.test(call.promptText)
          ? { text: 'mail sent' }
          : { toolCalls: [{ toolName: 'send_email', input: { to: 'bob@example.com' } }] },
      runtime: { tools: [sendEmail] },
    });
    return { app: createApp({ runtime: t.runtime }), sent, model: t.model };
  }

  interface Review {
    id: string;
    taskId: string;
    kind: string;
    status: string;
    payload: unknown;
    answer: { decision: string; note: string | null; payload: unknown } | null;
  }

  it('lists the pending review, streams review events, and resumes the task when answered', async () => {
    const { app, sent, model } = await reviewApp();
    const created = await post(app, '/v1/tasks', {
      prompt: 'email bob',
      agent: { name: 'mailer', tools: ['send_email'] },
      budget: { usd: 1 },
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    const stream = await app.request(`/v1/tasks/${id}/events`);
    const reader = sseReader(stream.body as ReadableStream<Uint8Array>);
    const early = await reader.until((e) => e.event === 'review-requested');
    const requested = early.find((e) => e.event === 'review-requested');
    const reviewId = requested?.data['reviewId'] as string;
    expect(requested?.data).toMatchObject({ taskId: id, kind: 'tool-approval' });
    expect(requested?.id).toEqual(expect.any(Number));

    const waiting = await until(
      async () => {
        const task = (await send<TaskResult>(app, `/v1/tasks/${id}`)).body;
        return task.status === 'waiting' && task;
      },
      { message: 'the task to wait for its review' },
    );
    expect(waiting.reviews).toEqual([{ id: reviewId, kind: 'tool-approval', question: expect.any(String) }]);
    expect((await send<{ tasks: TaskResult[] }>(app, '/v1/tasks?status=waiting')).body.tasks).toHaveLength(1);

    const listed = await send<{ reviews: Review[]; next: string | null }>(app, '/v1/reviews');
    expect(listed.status).toBe(200);
    expect(listed.body.reviews).toEqual([
      expect.objectContaining({
        id: reviewId,
        taskId: id,
        status: 'pending',
        payload: { agent: 'mailer', tool: 'send_email', input: { to: 'bob@example.com' } },
      }),
    ]);
    expect(listed.body.next).toBeNull();
    const byTask = await send<{ reviews: Review[] }>(app, `/v1/reviews?status=all&taskId=${id}`);
    expect(byTask.body.reviews.map((r) => r.id)).toEqual([reviewId]);
    expect((await send<{ reviews: Review[] }>(app, '/v1/reviews?status=answered')).body.reviews).toEqual([]);
    expect(sent).toEqual([]);

    const answered = await post<Review>(app, `/v1/reviews/${reviewId}`, { decision: 'approve', note: 'ok' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({
      id: reviewId,
      status: 'answered',
      answer: { decision: 'approve', note: 'ok', payload: null },
    });

    const events = (await reader.rest()).filter((e) => e.event !== 'text-delta');
    const names = events.map((e) => e.event);
    expect(names.filter((n) => n === 'review-requested')).toHaveLength(1);
    expect(events.find((e) => e.event === 'review-answered')?.data).toEqual({
      taskId: id,
      reviewId,
      decision: 'approve',
    });
    expect(names.indexOf('review-answered')).toBeGreaterThan(names.indexOf('review-requested'));
    expect(names.at(-1)).toBe('task-end');
    expect(events.at(-1)?.data).toMatchObject({ status: 'succeeded', output: 'mail sent' });
    expect(sent).toEqual([{ to: 'bob@example.com' }]);
    expect(model.calls).toHaveLength(2);

    // The replay after the fact has both review events too.
    const replayed = parseSse(await (await app.request(`/v1/tasks/${id}/events`)).text()).map((e) => e.event);
    expect(replayed).toEqual(expect.arrayContaining(['review-requested', 'review-answered', 'task-end']));

    const again = await post<ErrorBody>(app, `/v1/reviews/${reviewId}`, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('review.already_answered');
    const missing = await post<ErrorBody>(app, '/v1/reviews/rev_missing', { decision: 'approve' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('review.not_found');
  });

  it('audits who created a task, who answered its review and who cancelled one, without the prompt', async () => {
    const { app } = await reviewApp();
    const created = await post<TaskResult>(app, '/v1/tasks?wait=true', {
      prompt: 'email bob about the secret merger',
      agent: { name: 'mailer', tools: ['send_email'] },
    });
    const reviewId = created.body.reviews?.[0]?.id ?? '';
    expect((await post(app, `/v1/reviews/${reviewId}`, { decision: 'reject', note: 'no' })).status).toBe(200);
    // Waiting for its own review when it is cancelled.
    const second = await post<TaskResult>(app, '/v1/tasks?wait=true', {
      prompt: 'email carol',
      agent: { name: 'mailer', tools: ['send_email'] },
    });
    expect(second.body.status).toBe('waiting');
    expect((await post(app, `/v1/tasks/${second.body.id}/cancel`, {})).status).toBe(200);

    type Events = { events: { action: string; actor: string; target: string; details: unknown }[] };
    const audit = (await send<Events>(app, '/v1/audit')).body.events;
    expect(audit.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['task.cancel', 'http', second.body.id],
      ['task.create', 'http', second.body.id],
      ['review.answer', 'http', reviewId],
      ['task.create', 'http', created.body.id],
    ]);
    expect(audit[2]?.details).toEqual({ taskId: created.body.id, kind: 'tool-approval', decision: 'reject' });
    expect(JSON.stringify(audit)).not.toContain('merger');
  });

  it('answers a waited request with 202 and the open review as soon as the task waits for a human', async () => {
    const { app } = await reviewApp();
    const res = await post<TaskResult>(app, '/v1/tasks?wait=true', {
      prompt: 'email bob',
      agent: { name: 'mailer', tools: ['send_email'] },
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('waiting');
    expect(res.body.reviews).toEqual([
      { id: expect.any(String), kind: 'tool-approval', question: expect.any(String) },
    ]);
  });

  it('answers a waited request with 202 and the task as it is when the timeout passes first', async () => {
    const { app } = await appWith([{ text: 'never sent', waitFor: 'forever' }]);
    const res = await post<TaskResult>(app, '/v1/tasks?wait=true&timeout=0.2', { prompt: 'hello' });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('running');
    // Less than a millisecond is a millisecond, not a 500 after the task was created.
    const tiny = await post<TaskResult>(app, '/v1/tasks?wait=true&timeout=0.0001', { prompt: 'hello' });
    expect(tiny.status).toBe(202);
    const bad = await post<ErrorBody>(app, '/v1/tasks?wait=true&timeout=forever', { prompt: 'hello' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'request.invalid', path: 'timeout' });
  });

  it('rejects a bad answer with 400 and a code, answering nothing', async () => {
    const { app } = await reviewApp();
    const created = await post(app, '/v1/tasks', {
      prompt: 'email bob',
      agent: { name: 'mailer', tools: ['send_email'] },
    });
    const waiting = await until(
      async () => {
        const task = (await send<TaskResult>(app, `/v1/tasks/${created.body.id}`)).body;
        return task.status === 'waiting' && task;
      },
      { message: 'the task to wait for its review' },
    );
    const reviewId = waiting.reviews?.[0]?.id ?? '';
    const cases: [unknown, string][] = [
      [{ decision: 'maybe' }, 'decision'],
      [{ decision: 'edit' }, 'payload'],
      [{ decision: 'edit', payload: null }, 'payload'],
      [{ decision: 'reject', payload: { input: { to: 'x' } } }, 'payload'],
      [{}, 'decision'],
    ];
    for (const [body, path] of cases) {
      const res = await post<ErrorBody>(app, `/v1/reviews/${reviewId}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('request.invalid');
      expect(res.body.error.path).toBe(path);
    }
    const unknownKey = await post<ErrorBody>(app, `/v1/reviews/${reviewId}`, { decision: 'approve', why: 1 });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.message).toContain('why');
    const badStatus = await send<ErrorBody>(app, '/v1/reviews?status=done');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.code).toBe('request.invalid');
    expect((await send<{ reviews: Review[] }>(app, '/v1/reviews')).body.reviews).toHaveLength(1);

    const edited = await post<Review>(app, `/v1/reviews/${reviewId}`, {
      decision: 'edit',
      payload: { input: { to: 'alice@example.com' } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.answer).toEqual({
      decision: 'edit',
      note: null,
      payload: { input: { to: 'alice@example.com' } },
    });
  });

  it('lists the topologies with their options', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    const res = await send<{ topologies: { name: string; description: string; options: unknown[] }[] }>(
      app,
      '/v1/topologies',
    );
    expect(res.status).toBe(200);
    expect(res.body.topologies.map((x) => x.name)).toEqual(expect.arrayContaining(['single', 'debate']));
    expect(res.body.topologies.find((x) => x.name === 'sequential')?.options).toEqual([
      { name: 'handoff', type: 'string', values: ['last', 'all'], required: false, default: 'last' },
    ]);
  });

  it('documents the review and topology routes, with the answer body and its 409', async () => {
    const { app } = await appWith([{ text: 'unused' }]);
    interface Documented {
      parameters: { name: string; in: string }[];
      requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
      responses: Record<string, unknown>;
    }
    const res = await send<{ paths: Record<string, Record<string, Documented>> }>(app, '/v1/openapi.json');
    const paths = res.body.paths;
    const list = paths['/v1/reviews']?.['get'] as Documented;
    expect(list.parameters.map((p) => p.name).sort()).toEqual(['before', 'limit', 'status', 'taskId']);
    const answer = paths['/v1/reviews/{id}']?.['post'] as Documented;
    expect(answer.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
    const body = answer.requestBody?.content['application/json']?.schema;
    expect(answer.requestBody?.required).toBe(true);
    expect(Object.keys((body?.['properties'] ?? {}) as object).sort()).toEqual([
      'decision',
      'note',
      'payload',
    ]);
    expect(body?.['required']).toEqual(['decision']);
    expect(Object.keys(answer.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(paths['/v1/topologies']?.['get']).toBeDefined();
    // A POST whose input is only its path parameters still documents no body.
    expect(paths['/v1/tasks/{id}/cancel']?.['post']?.requestBody).toBeUndefined();
  });
});

describe('GET /v1/router/explain and /v1/router/stats', () => {
  it('explains a decision from query parameters, and refuses a bad one with 400', async () => {
    const { app } = await appWith([{ text: 'ok' }]);
    const res = await send<{
      kind: string;
      order: string[];
      constraints: object;
      candidates: { id: string }[];
    }>(app, '/v1/router/explain?kind=code&minQuality=0.1&needs=tools&needs=json&maxCostUsd=1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'code',
      order: ['fake/scripted'],
      constraints: { minQuality: 0.1, maxCostUsd: 1 },
    });
    expect(res.body.candidates.map((c) => c.id)).toEqual(['fake/scripted']);
    const bad = await send<ErrorBody>(app, '/v1/router/explain?minQuality=high');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('request.invalid');
  });

  it('reports learned statistics after a task', async () => {
    const { app } = await appWith([{ text: 'ok', usage: { inputTokens: 10, outputTokens: 5 } }]);
    await post(app, '/v1/tasks?wait=true', { prompt: 'hello' });
    const res = await send<{
      stats: { modelId: string; kind: string; calls: number }[];
      circuits: unknown[];
    }>(app, '/v1/router/stats');
    expect(res.status).toBe(200);
    expect(res.body.circuits).toEqual([]);
    expect(res.body.stats.find((s) => s.kind === '*')).toMatchObject({ modelId: 'fake/scripted', calls: 1 });
  });
});
