import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentdError } from '../core/errors.js';
import { actorWith, adminActor, PERMISSIONS } from '../security/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { defineOperation } from './define-operation.js';
import { getTask, health, invokeOperation, listTasks, operations, streamOperations } from './index.js';
import { invokeStreamOperation } from './invoke-operation.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function rejected(promise: Promise<unknown>): Promise<AgentdError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: AgentdError) => error,
  );
}

describe('the operation registry', () => {
  it('gives every operation a unique name, a description and a declared permission', () => {
    const all = [...operations, ...streamOperations];
    expect(new Set(all.map((o) => o.name)).size).toBe(all.length);
    for (const operation of all) {
      expect(PERMISSIONS, operation.name).toContain(operation.permission);
      expect(operation.description.length, operation.name).toBeGreaterThan(10);
    }
  });

  it('keeps admin operations (audit, config, re-embedding, keys) out of reach of task users', () => {
    const admin = operations
      .filter((o) => ['audit.read', 'config.read', 'memory.admin', 'keys.admin'].includes(o.permission))
      .map((o) => o.name);
    expect(admin).toEqual(
      expect.arrayContaining(['audit.list', 'config.check', 'memory.reembed', 'keys.create', 'keys.revoke']),
    );
  });
});

describe('invokeOperation', () => {
  it('refuses an actor without the permission before reading the input or running anything', async () => {
    t = await createTestRuntime();
    const reader = actorWith('viewer', ['tasks.read']);
    const refused = await rejected(
      invokeOperation(
        t.runtime,
        operations.find((o) => o.name === 'tasks.create') ?? health,
        { bad: 1 },
        reader,
      ),
    );
    expect(refused.code).toBe('permission.denied');
    expect(refused.message).toBe("viewer may not call tasks.create: it needs the 'tasks.write' permission");
    expect(await t.runtime.tasks.list()).toEqual([]);
    // The same actor may read.
    expect(await invokeOperation(t.runtime, listTasks, {}, reader)).toEqual({ tasks: [], next: null });
    // Permissions do not imply each other: writing tasks is not reading them.
    const writer = actorWith('writer', ['tasks.write']);
    expect((await rejected(invokeOperation(t.runtime, listTasks, {}, writer))).code).toBe(
      'permission.denied',
    );
    const checkConfig = operations.find((o) => o.name === 'config.check') ?? health;
    expect((await rejected(invokeOperation(t.runtime, checkConfig, {}, writer))).code).toBe(
      'permission.denied',
    );
    await invokeOperation(t.runtime, checkConfig, {}, actorWith('admin', ['config.read']));
    const nobody = actorWith('nobody', []);
    expect((await rejected(invokeOperation(t.runtime, health, {}, nobody))).code).toBe('permission.denied');
  });

  it('checks stream operations the same way', async () => {
    t = await createTestRuntime();
    const [events] = streamOperations;
    if (!events) throw new Error('no stream operation');
    const stream = invokeStreamOperation(
      t.runtime,
      events,
      { id: 'x' },
      actorWith('nobody', []),
      new AbortController().signal,
    );
    const refused = await rejected(stream[Symbol.asyncIterator]().next());
    expect(refused.code).toBe('permission.denied');
  });

  it('validates the input and types the output', async () => {
    t = await createTestRuntime();
    const bad = await rejected(invokeOperation(t.runtime, getTask, {}, adminActor('api')));
    expect(bad.code).toBe('request.invalid');
    const missing = await rejected(invokeOperation(t.runtime, getTask, { id: 'task_x' }, adminActor('api')));
    expect(missing.code).toBe('task.not_found');
    const page = await invokeOperation(t.runtime, listTasks, { limit: '5' }, adminActor('api'));
    // Typed: `page.tasks` is an array of task results, without a cast.
    expect(page.tasks.map((task) => task.id)).toEqual([]);
  });

  it('fails an operation whose result does not match its output schema when outputs are validated', async () => {
    const broken = defineOperation({
      name: 'broken.get',
      description: 'Returns what its schema does not describe.',
      input: z.strictObject({}),
      output: z.object({ count: z.number() }),
      permission: 'tasks.read',
      tenancy: 'none',
      http: { method: 'GET', path: '/v1/broken' },
      // A handler bug the type checker cannot see (e.g. data read back from storage).
      handler: () => Promise.resolve(JSON.parse('{"count":"three"}') as { count: number }),
    });
    t = await createTestRuntime();
    expect(t.runtime.settings.validateOutputs).toBe(true);
    const error = await rejected(invokeOperation(t.runtime, broken, {}, adminActor('api')));
    expect(error).toMatchObject({ code: 'operation.invalid_output', category: 'system' });
    expect(error.message).toContain('count');
    await t.dispose();

    t = await createTestRuntime({ config: { operations: { validateOutputs: false } } });
    expect(await invokeOperation(t.runtime, broken, {}, adminActor('api'))).toEqual({ count: 'three' });
  });
});
