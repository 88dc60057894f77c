import { PolicyDeniedError } from '../core/errors.js';
import './security-error-codes.js';

/**
 * Every permission an operation can require, one concern each. Roles are sets of them (see
 * `auth/roles.ts`); an operation declares exactly one.
 */
export const PERMISSIONS = [
  /** Liveness and version. */
  'health.read',
  /** Tasks: list, show, spans, events (their prompts, outputs and costs). */
  'tasks.read',
  /** Tasks: submit and cancel. */
  'tasks.write',
  /** The human-review queue: list. */
  'reviews.read',
  /** The human-review queue: approve, reject, edit. */
  'reviews.answer',
  /** Models, topologies and the router's decisions and statistics. */
  'catalog.read',
  /** Memories: search, show, stats, procedures. */
  'memory.read',
  /** Memories: add, edit, forget. */
  'memory.write',
  /** Task maintenance across every tenant (pruning finished tasks by age). */
  'tasks.admin',
  /** Memory maintenance across every tenant (re-embedding). */
  'memory.admin',
  /** The effective configuration (secrets masked). */
  'config.read',
  /** The audit log. */
  'audit.read',
  /** API keys: create, list, revoke. */
  'keys.admin',
  /** MCP servers' tools: list their pinned definitions, approve a changed one. */
  'tools.admin',
  /** Model calls through the gateway (the task-scoped keys agents hold). */
  'models.call',
] as const;

/** What an operation needs (see {@link PERMISSIONS}). */
export type Permission = (typeof PERMISSIONS)[number];

/** Whether `actor` holds `permission`. Permissions do not imply each other: a role lists each one. */
export function holds(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

/**
 * Who invokes an operation, and what they may do. `id` is what the audit log records. The local CLI
 * and the holder of the server token are admins; an API key carries its role's permissions and,
 * when bound to one, its tenant.
 */
export interface Actor {
  /** A stable name for the audit log: `cli`, `http`, `mcp`, `token`, or `key:<name>`. */
  readonly id: string;
  readonly permissions: ReadonlySet<Permission>;
  /** The only tenant this actor may see and change; absent: every tenant. */
  readonly tenant?: string;
  /** The id of the API key this actor authenticated with (rate limits, last use). */
  readonly keyId?: string;
}

/**
 * The credential behind an actor, for what must stay with it (an MCP session, an A2A context): the
 * API key's id, not its name (`key:ci`), which a revoked key's successor may reuse with another role
 * or tenant.
 */
export function credentialOf(actor: Actor): string {
  return actor.keyId === undefined ? actor.id : `key-id:${actor.keyId}`;
}

/** An actor holding every permission (the local CLI on its own database, the holder of the server token). */
export function adminActor(id: string): Actor {
  return { id, permissions: new Set(PERMISSIONS) };
}

/** An actor holding exactly `permissions`, optionally bound to one tenant. */
export function actorWith(
  id: string,
  permissions: Iterable<Permission>,
  options: { tenant?: string; keyId?: string } = {},
): Actor {
  return {
    id,
    permissions: new Set(permissions),
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    ...(options.keyId !== undefined ? { keyId: options.keyId } : {}),
  };
}

/** Throws `permission.denied` (naming the permission) unless `actor` holds `permission`; `what` names the action. */
export function requirePermission(actor: Actor, permission: Permission, what: string): void {
  if (holds(actor, permission)) return;
  throw new PolicyDeniedError({
    code: 'permission.denied',
    message: `${actor.id} may not ${what}: it needs the '${permission}' permission`,
    details: { permission },
  });
}
