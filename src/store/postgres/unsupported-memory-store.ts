import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';
import type { MemoryStore } from '../memory-store.js';

/**
 * The memory store of a Postgres database opened without one: every call fails with
 * `store.unsupported`, naming what to do. The runtime refuses to start with memory on and no
 * Postgres memory store, so only a direct memory operation (a search, an add) reaches it.
 */
export function unsupportedMemoryStore(): MemoryStore {
  const fail = async (): Promise<never> => {
    throw new AgentdError({
      code: 'store.unsupported',
      message:
        'memory is not available on this Postgres store; set memory.enabled: false, or use the SQLite store for memory',
    });
  };
  return {
    vectorIndex: 'exact-scan',
    add: fail,
    addMany: fail,
    get: fail,
    getMany: fail,
    update: fail,
    forget: fail,
    apply: fail,
    searchText: fail,
    searchVector: fail,
    touch: fail,
    count: fail,
    list: fail,
    stats: fail,
    tenants: fail,
    awaitingVectors: fail,
  };
}
