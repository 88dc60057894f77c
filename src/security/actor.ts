import { PolicyDeniedError } from '../core/errors.js';
import './security-error-codes.js';

/** What an operation needs: `read` and `write` are for task users, `admin` for configuration and audit. */
export type Permission = 'read' | 'write' | 'admin';

/** Every permission, in order of power: each includes the ones before it (a writer may read). */
export const PERMISSIONS: readonly Permission[] = ['read', 'write', 'admin'];

/** Whether `actor` holds `permission` or a stronger one. */
export function holds(actor: Actor, permission: Permission): boolean {
  const needed = PERMISSIONS.indexOf(permission);
  return PERMISSIONS.some((held, rank) => rank >= needed && actor.permissions.has(held));
}

/**
 * Who invokes an operation, and what they may do. `id` is what the audit log records. Roles and
 * identities (issued tokens, users) map onto this; today the server's one token and the local CLI
 * carry every permission.
 */
export interface Actor {
  /** A stable name for the audit log: `cli`, `http`, `mcp`, `api`, or a user or key id. */
  readonly id: string;
  readonly permissions: ReadonlySet<Permission>;
}

/** An actor holding every permission (the local CLI on its own database, the holder of the server token). */
export function adminActor(id: string): Actor {
  return { id, permissions: new Set(PERMISSIONS) };
}

/** An actor holding exactly `permissions`. */
export function actorWith(id: string, permissions: Iterable<Permission>): Actor {
  return { id, permissions: new Set(permissions) };
}

/** Throws `permission.denied` unless `actor` holds `permission` (or a stronger one); `what` names the action. */
export function requirePermission(actor: Actor, permission: Permission, what: string): void {
  if (holds(actor, permission)) return;
  throw new PolicyDeniedError({
    code: 'permission.denied',
    message: `${actor.id} may not ${what}: it needs the '${permission}' permission`,
    details: { permission },
  });
}
