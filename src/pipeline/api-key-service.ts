import type { Clock } from '../core/clock.js';
import { AgentdError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { actorWith, hashApiKey, isRole, mintApiKey, ROLES } from '../security/index.js';
import type { Actor, Role } from '../security/index.js';
import type { ApiKeyRecord, ApiKeyStore } from '../store/api-key-store.js';
import type { AuditStore } from '../store/audit-store.js';
import { recordChange } from './audit-log.js';

/** An API key as listed: everything but its hash. */
export type ApiKeyView = Omit<ApiKeyRecord, 'hash'>;

/** What creating a key needs. */
export interface ApiKeyRequest {
  name: string;
  role: Role;
  /** Bind the key to this tenant; absent: every tenant. */
  tenant?: string;
  /** How long it lives (ms from now); absent: for ever. */
  expiresInMs?: number;
}

/** API keys: create (the key is returned once), list, revoke, and authenticate a presented key. */
export interface ApiKeyService {
  /** Creates a key; `key` is the only time the secret exists outside the caller's hands. */
  create(request: ApiKeyRequest, actor?: Actor): Promise<{ key: string; record: ApiKeyView }>;
  /** Keys newest first; revoked ones only when asked. */
  list(query?: { includeRevoked?: boolean }): Promise<ApiKeyView[]>;
  /** Revokes a key by id or by the name of a key in force; throws `key.not_found`. */
  revoke(idOrName: string, actor?: Actor): Promise<ApiKeyView>;
  /** The actor a presented key stands for, or null when it is unknown, revoked or expired. */
  authenticate(key: string): Promise<Actor | null>;
  /** Writes the pending last-use times now (the server calls it when it stops). */
  flush(): Promise<void>;
}

/** The name rules: short, printable, no spaces, so a name is safe in a table, a log line and argv. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Creates the key service. Last use is kept in memory and written in one batch at most every
 * `flushIntervalMs` (checked on each authentication), so a busy key costs no write per request.
 */
export function createApiKeyService(deps: {
  store: ApiKeyStore;
  audit: AuditStore;
  clock: Clock;
  flushIntervalMs: number;
}): ApiKeyService {
  const { store, clock } = deps;
  const pending = new Map<string, number>();
  let lastFlush = clock.now();

  async function flush(): Promise<void> {
    lastFlush = clock.now();
    if (pending.size === 0) return;
    const uses = [...pending].map(([id, at]) => ({ id, at }));
    pending.clear();
    await store.touch(uses);
  }

  async function find(idOrName: string): Promise<ApiKeyRecord> {
    const byId = await store.get(idOrName);
    if (byId) return byId;
    const byName = (await store.list()).find((key) => key.name === idOrName);
    if (byName) return byName;
    throw new AgentdError({ code: 'key.not_found', message: `no API key with the id or name '${idOrName}'` });
  }

  return {
    async create(request, actor) {
      if (!NAME.test(request.name)) {
        throw new AgentdError({
          code: 'key.invalid',
          message: `key name '${request.name.slice(0, 80)}' must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
        });
      }
      const now = clock.now();
      if (request.expiresInMs !== undefined && !(request.expiresInMs > 0)) {
        throw new AgentdError({ code: 'key.invalid', message: 'a key must expire in the future' });
      }
      const material = mintApiKey();
      const record: ApiKeyRecord = {
        id: newId('key', now),
        name: request.name,
        prefix: material.prefix,
        hash: material.hash,
        role: request.role,
        tenant: request.tenant ?? null,
        createdAt: now,
        createdBy: actor?.id ?? 'api',
        expiresAt: request.expiresInMs !== undefined ? now + request.expiresInMs : null,
        revokedAt: null,
        lastUsedAt: null,
      };
      await store.create(record);
      await recordChange(deps, {
        actor,
        action: 'key.create',
        target: record.id,
        tenant: record.tenant,
        details: { name: record.name, prefix: record.prefix, role: record.role, expiresAt: record.expiresAt },
      });
      return { key: material.key, record: viewOf(record) };
    },
    async list(query = {}) {
      return (await store.list(query)).map(viewOf);
    },
    async revoke(idOrName, actor) {
      const key = await find(idOrName);
      const at = clock.now();
      if (!(await store.revoke(key.id, at))) throw notFoundKey(idOrName);
      await recordChange(deps, {
        actor,
        action: 'key.revoke',
        target: key.id,
        tenant: key.tenant,
        details: { name: key.name, prefix: key.prefix },
      });
      return viewOf({ ...key, revokedAt: at });
    },
    async authenticate(presented) {
      const key = await store.findByHash(hashApiKey(presented));
      const now = clock.now();
      if (!key || key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) return null;
      // A role this agentd does not know (a newer one wrote it) grants nothing: fail closed.
      if (!isRole(key.role)) return null;
      pending.set(key.id, now);
      if (now - lastFlush >= deps.flushIntervalMs) await flush();
      return actorWith(`key:${key.name}`, ROLES[key.role], {
        keyId: key.id,
        ...(key.tenant !== null ? { tenant: key.tenant } : {}),
      });
    },
    flush,
  };
}

function notFoundKey(idOrName: string): AgentdError {
  return new AgentdError({ code: 'key.not_found', message: `API key '${idOrName}' is already revoked` });
}

function viewOf(record: ApiKeyRecord): ApiKeyView {
  const { hash: _hash, ...view } = record;
  return view;
}
