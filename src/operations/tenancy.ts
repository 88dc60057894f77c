import { AgentdError, notFound, PolicyDeniedError } from '../core/errors.js';
import type { Runtime } from '../runtime/index.js';
import type { Actor } from '../security/index.js';
import type { TenancyScope } from './define-operation.js';
import '../security/security-error-codes.js';
import '../executor/executor-error-codes.js';

/**
 * The raw input with a tenant-bound actor's tenant applied, checked before validation: for a
 * `field` operation the tenant is filled in, and a different one named is refused (403, never
 * another tenant's data quietly); an `all` operation is refused outright. Unbound actors pass as is.
 */
export function boundInput(scope: TenancyScope, raw: unknown, actor: Actor, operation: string): unknown {
  const tenant = actor.tenant;
  if (tenant === undefined) return raw;
  if (scope === 'all') {
    throw tenantDenied(
      `${actor.id} is bound to tenant '${tenant}' and may not call ${operation}, which acts on every tenant`,
    );
  }
  if (scope !== 'field') return raw;
  const input: Record<string, unknown> =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? { ...(raw as Record<string, unknown>) }
      : {};
  const named = input['tenant'];
  if (named !== undefined && named !== tenant) {
    throw tenantDenied(
      `${actor.id} is bound to tenant '${tenant}' and may not use tenant '${String(named).slice(0, 200)}'`,
    );
  }
  input['tenant'] = tenant;
  return input;
}

/**
 * Checks, after validation, that the record a `task`, `review` or `task-filter` operation addresses
 * belongs to a tenant-bound actor's tenant. Another tenant's record is reported as not found, the
 * same as one that does not exist, so a bound key cannot learn which ids exist elsewhere.
 */
export async function checkRecordTenant(
  runtime: Runtime,
  scope: TenancyScope,
  input: unknown,
  actor: Actor,
): Promise<void> {
  const tenant = actor.tenant;
  if (tenant === undefined) return;
  const fields = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (scope === 'task') {
    const id = String(fields['id']);
    if ((await runtime.tasks.tenantOf(id)) !== tenant) throw notFound('task', id);
  } else if (scope === 'review') {
    const id = String(fields['id']);
    const review = await runtime.reviews.get(id);
    if ((await tenantOfTask(runtime, review.taskId)) !== tenant) throw notFound('review', id);
  } else if (scope === 'task-filter') {
    const taskId = fields['taskId'];
    if (typeof taskId !== 'string') {
      throw tenantDenied(
        `${actor.id} is bound to tenant '${tenant}': name the task (taskId) whose reviews to list`,
      );
    }
    if ((await runtime.tasks.tenantOf(taskId)) !== tenant) throw notFound('task', taskId);
  }
}

/** A task's tenant, or null when the task is gone (a review outliving its task belongs to nobody). */
async function tenantOfTask(runtime: Runtime, taskId: string): Promise<string | null> {
  try {
    return await runtime.tasks.tenantOf(taskId);
  } catch (error) {
    if (error instanceof AgentdError && error.code === 'task.not_found') return null;
    throw error;
  }
}

function tenantDenied(message: string): PolicyDeniedError {
  return new PolicyDeniedError({ code: 'permission.tenant_denied', message });
}
