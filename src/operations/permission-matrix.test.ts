import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { actorWith, PERMISSIONS, ROLE_NAMES, ROLES } from '../security/index.js';
import type { Role } from '../security/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { invokeOperation, invokeStreamOperation, operations, streamOperations } from './index.js';

const TENANCY_SCOPES = ['field', 'task', 'review', 'task-filter', 'none', 'all'];

/**
 * The roles that may call each operation, written out by hand: the reviewed access policy. An
 * operation added to the registry without a row here fails, and so does any change to a role or to
 * an operation's permission that moves a cell.
 */
const EXPECTED: Readonly<Record<string, readonly Role[]>> = {
  health: ['admin', 'operator', 'viewer'],
  'cluster.status': ['admin', 'operator', 'viewer'],
  'tasks.create': ['admin', 'operator'],
  'tasks.list': ['admin', 'operator', 'viewer'],
  'tasks.get': ['admin', 'operator', 'viewer'],
  'tasks.cancel': ['admin', 'operator'],
  'tasks.delete': ['admin', 'operator'],
  'tasks.prune': ['admin'],
  'tasks.resume': ['admin', 'operator'],
  'tasks.spans': ['admin', 'operator', 'viewer'],
  'tasks.events': ['admin', 'operator', 'viewer'],
  'reviews.list': ['admin', 'operator', 'viewer'],
  'reviews.answer': ['admin', 'operator'],
  'topologies.list': ['admin', 'operator', 'viewer'],
  'models.list': ['admin', 'operator', 'viewer'],
  'router.explain': ['admin', 'operator', 'viewer'],
  'router.stats': ['admin', 'operator', 'viewer'],
  'memory.search': ['admin', 'operator', 'viewer'],
  'memory.add': ['admin', 'operator'],
  'memory.stats': ['admin', 'operator', 'viewer'],
  'memory.procedures': ['admin', 'operator', 'viewer'],
  'memory.reembed': ['admin'],
  'memory.get': ['admin', 'operator', 'viewer'],
  'memory.edit': ['admin', 'operator'],
  'memory.forget': ['admin', 'operator'],
  'audit.list': ['admin'],
  'config.check': ['admin'],
  'providers.check': ['admin'],
  'net.check': ['admin'],
  'pii.redact': ['admin', 'operator', 'viewer'],
  'keys.create': ['admin'],
  'keys.list': ['admin'],
  'keys.revoke': ['admin'],
  'mcp.tools.list': ['admin'],
  'mcp.tools.approve': ['admin'],
};

const all = [...operations, ...streamOperations];

/** Whether `role` got past the permission check of `name` (any other outcome, even a 400, is "allowed"). */
async function allowed(t: TestRuntime, name: string, role: Role): Promise<boolean> {
  const actor = actorWith(`role:${role}`, ROLES[role]);
  // An input no schema accepts: an allowed call stops at validation, so no handler runs.
  const probe = { 'not-a-field': true };
  try {
    const operation = operations.find((o) => o.name === name);
    if (operation) {
      await invokeOperation(t.runtime, operation, probe, actor);
    } else {
      const stream = streamOperations.find((o) => o.name === name);
      if (!stream) throw new Error(`no operation ${name}`);
      const events = invokeStreamOperation(t.runtime, stream, probe, actor, new AbortController().signal);
      await events[Symbol.asyncIterator]().next();
    }
    return true;
  } catch (error) {
    if (error instanceof AgentdError && error.code === 'permission.denied') return false;
    return true;
  }
}

describe('the permission matrix: every operation × every role', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await createTestRuntime();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('gives every operation exactly one known permission and a tenancy scope', () => {
    for (const operation of all) {
      expect(PERMISSIONS, `${operation.name} declares no known permission`).toContain(operation.permission);
      expect(TENANCY_SCOPES, `${operation.name} declares no tenancy scope`).toContain(operation.tenancy);
    }
  });

  it('has a reviewed row for every operation in the registry, and none for an operation that is gone', () => {
    expect(all.map((o) => o.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('derives the reviewed table from the role definitions and the operations’ permissions', () => {
    const derived = Object.fromEntries(
      all.map((o) => [o.name, ROLE_NAMES.filter((role) => ROLES[role].has(o.permission))]),
    );
    expect(derived).toEqual(EXPECTED);
  });

  it('enforces exactly that table when each role invokes each operation', async () => {
    const actual: Record<string, Role[]> = {};
    for (const operation of all) {
      actual[operation.name] = [];
      for (const role of ROLE_NAMES) {
        if (await allowed(t, operation.name, role)) actual[operation.name]?.push(role);
      }
    }
    expect(actual).toEqual(EXPECTED);
  });

  it('holds the cells the roles are defined by', async () => {
    expect(await allowed(t, 'tasks.create', 'operator')).toBe(true);
    expect(await allowed(t, 'tasks.create', 'viewer')).toBe(false);
    expect(await allowed(t, 'reviews.answer', 'operator')).toBe(true);
    expect(await allowed(t, 'memory.add', 'viewer')).toBe(false);
    expect(await allowed(t, 'memory.search', 'viewer')).toBe(true);
    expect(await allowed(t, 'audit.list', 'operator')).toBe(false);
    expect(await allowed(t, 'keys.create', 'operator')).toBe(false);
    expect(await allowed(t, 'keys.create', 'admin')).toBe(true);
    // The agent role holds model calls only: no operation here is open to it.
    expect(await allowed(t, 'tasks.list', 'agent')).toBe(false);
    expect([...ROLES.agent]).toEqual(['models.call']);
  });

  it('lets the roles that run models use the gateway standalone (models.call), and no reader', () => {
    const gatewayRoles = ROLE_NAMES.filter((role) => ROLES[role].has('models.call'));
    expect(gatewayRoles).toEqual(['admin', 'operator', 'agent']);
  });
});
