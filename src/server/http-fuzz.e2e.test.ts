import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileJson, jsonSchemaArbitrary } from '../testing/json-schema-arbitrary.js';
import type { ShapingMode } from '../testing/json-schema-arbitrary.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { createApp } from './create-app.js';

// Generates requests from the API's own OpenAPI document — every route, its path and query parameters
// and its JSON body — half shaped by the schemas, half hostile, and asserts what a client may rely on:
// no 5xx, every error a JSON body with a `domain.reason` code, and no task that was not acknowledged.

type JsonSchema = Record<string, unknown>;
interface RouteDoc {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; schema: JsonSchema }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface FuzzRequest {
  path: string;
  init: RequestInit;
}

const RUNS_PER_ROUTE = 40;
const ERROR_CODE = /^[a-z][a-z_]*(\.[a-z_]+)+$/;

let t: TestRuntime;
let app: Hono;
const acknowledged = new Set<string>();

beforeAll(async () => {
  t = await createTestRuntime({ script: () => ({ text: 'ok' }) });
  app = createApp({ runtime: t.runtime });
});
afterAll(async () => {
  await t.dispose();
});

/** One generated request for a route: path parameters, query and (for POST) a body. */
function requestsFor(
  path: string,
  method: string,
  doc: RouteDoc,
  knownIds: string[],
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    requestsShaped(path, method, doc, knownIds, 'minimal'),
    requestsShaped(path, method, doc, knownIds, 'valid'),
    requestsShaped(path, method, doc, knownIds, 'hostile'),
  );
}

/** Requests shaped by the route's schemas as `mode` says (see ShapingMode). */
function requestsShaped(
  path: string,
  method: string,
  doc: RouteDoc,
  knownIds: string[],
  mode: ShapingMode,
): fc.Arbitrary<FuzzRequest> {
  const hostile = mode === 'hostile';
  const parameters = doc.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === 'path');
  const queryParams = parameters.filter((p) => p.in === 'query');
  const idArbitrary = hostile
    ? fc.oneof(fc.constantFrom(...knownIds), fc.string({ maxLength: 30 }), fc.constant('..%2f..'))
    : fc.constantFrom(...knownIds);
  // A list goes as repeated parameters (`?layer=a&layer=b`), anything else as its text.
  const queryValue = (schema: JsonSchema): fc.Arbitrary<string[]> =>
    jsonSchemaArbitrary(schema, { mode }).map((value) =>
      (Array.isArray(value) ? value : [value]).map((v) =>
        typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
      ),
    );
  const required = queryParams.filter((p) => p.required).map((p) => p.name);
  const sent = mode === 'minimal' ? queryParams.filter((p) => p.required) : queryParams;
  const query = fc.record(Object.fromEntries(sent.map((p) => [p.name, queryValue(p.schema)])), {
    requiredKeys: mode === 'hostile' ? [] : required,
  });
  const bodySchema = doc.requestBody?.content['application/json'].schema;
  const body = bodySchema
    ? hostile
      ? fc.oneof(
          { weight: 4, arbitrary: jsonSchemaArbitrary(bodySchema, { mode }) },
          { weight: 1, arbitrary: hostileJson() },
        )
      : jsonSchemaArbitrary(bodySchema, { mode })
    : fc.constant(undefined);
  return fc
    .record({
      ids: fc.array(idArbitrary, { minLength: pathParams.length, maxLength: pathParams.length }),
      query,
      extra: hostile
        ? fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 })
        : fc.constant({}),
      body,
    })
    .map(({ ids, query: q, extra, body: b }) => {
      let url = path;
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, encodeURIComponent(ids[i] ?? ''))));
      const params = new URLSearchParams(extra);
      for (const [name, values] of Object.entries(q as Record<string, string[] | undefined>)) {
        for (const value of values ?? []) params.append(name, value);
      }
      const search = params.toString();
      const init: RequestInit = { method: method.toUpperCase() };
      if (method === 'post' && b !== undefined) {
        init.body = JSON.stringify(b);
        init.headers = { 'content-type': 'application/json' };
      }
      return { path: `${url}${search ? `?${search}` : ''}`, init };
    });
}

describe('HTTP fuzzing from the OpenAPI document', () => {
  it('answers every generated request without a 5xx, with a coded JSON error, losing no task', async () => {
    const seeded = await app.request('/v1/tasks?wait=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'seed task' }),
    });
    const seed = (await seeded.json()) as { id: string };
    acknowledged.add(seed.id);

    const document = (await (await app.request('/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, RouteDoc>>;
    };
    let routes = 0;
    // Deleting tasks goes last, so the other routes still meet the seed task.
    const deletes = (doc: RouteDoc) => ['tasks.delete', 'tasks.prune'].includes(String(doc.operationId));
    const ordered = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, doc]) => ({ path, method, doc })))
      .sort((a, b) => Number(deletes(a.doc)) - Number(deletes(b.doc)));
    for (const { path, method, doc } of ordered) {
      // Event streams stay open while their task lives; their refusals are tested in create-app.test.ts.
      if (doc.responses['200']?.content?.['text/event-stream']) continue;
      routes++;
      await fc.assert(
        fc.asyncProperty(requestsFor(path, method, doc, [seed.id, 'task_missing']), async (request) => {
          const res = await app.request(request.path, request.init);
          const text = await res.text();
          const where = `${request.init.method} ${request.path} ${String(request.init.body ?? '').slice(0, 200)}`;
          expect(res.status, `${where} → ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(text, where).not.toMatch(/\n\s+at |\.ts:\d/);
          const body = JSON.parse(text) as { id?: string; error?: { code?: unknown; message?: unknown } };
          if (res.status >= 400) {
            expect(String(body.error?.code), where).toMatch(ERROR_CODE);
            expect(typeof body.error?.message, where).toBe('string');
          } else if (doc.operationId === 'tasks.create' && typeof body.id === 'string') {
            acknowledged.add(body.id);
          } else if (doc.operationId === 'tasks.delete' && typeof body.id === 'string') {
            acknowledged.delete(body.id);
          } else if (doc.operationId === 'tasks.prune') {
            const pruned = body as { dryRun?: boolean; tasks?: { id: string }[] };
            if (pruned.dryRun === false) for (const task of pruned.tasks ?? []) acknowledged.delete(task.id);
          }
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    expect(routes).toBeGreaterThan(15);

    // Every task is one a client was told about, and each settles into a state the API can show.
    const allTasks = async () => {
      const tasks: { id: string; status: string }[] = [];
      for (let before: string | null = ''; before !== null;) {
        const res = await app.request(`/v1/tasks?limit=500${before ? `&before=${before}` : ''}`);
        const page = (await res.json()) as { tasks: typeof tasks; next: string | null };
        tasks.push(...page.tasks);
        before = page.next;
      }
      return tasks;
    };
    const listed = await until(
      async () => {
        const tasks = await allTasks();
        return tasks.every((task) => !['queued', 'running'].includes(task.status)) && tasks;
      },
      { timeoutMs: 60_000, message: 'every fuzzed task to settle' },
    );
    expect(new Set(listed.map((task) => task.id))).toEqual(acknowledged);
    for (const task of listed) {
      const res = await app.request(`/v1/tasks/${task.id}`);
      expect(res.status).toBe(200);
      expect(['succeeded', 'failed', 'cancelled', 'waiting']).toContain(task.status);
    }
  }, 600_000);
});
