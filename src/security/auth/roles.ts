import { PERMISSIONS } from '../actor.js';
import type { Permission } from '../actor.js';

/** The roles an API key can have. */
export const ROLE_NAMES = ['admin', 'operator', 'viewer', 'agent'] as const;

/** A role: a named set of permissions. */
export type Role = (typeof ROLE_NAMES)[number];

const VIEWER: readonly Permission[] = [
  'health.read',
  'tasks.read',
  'reviews.read',
  'catalog.read',
  'memory.read',
];

/**
 * Each role's permissions, listed in full (no inheritance to follow when reviewing): `admin` holds
 * everything; `operator` runs and cancels tasks, answers reviews, writes memories and calls models
 * through the gateway (standalone); `viewer` reads
 * tasks, reviews, memories and the catalog but not the configuration or the audit log; `agent` is
 * for the task-scoped keys the model gateway hands to agents, and may only call models.
 */
export const ROLES: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  operator: new Set<Permission>([...VIEWER, 'tasks.write', 'reviews.answer', 'memory.write', 'models.call']),
  viewer: new Set<Permission>(VIEWER),
  agent: new Set<Permission>(['models.call']),
};

/** Whether `name` is a role. */
export function isRole(name: string): name is Role {
  return (ROLE_NAMES as readonly string[]).includes(name);
}
