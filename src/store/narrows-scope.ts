import type { MemoryFilter } from './memory-store.js';

/** Whether the filter passes fewer memories than its tenant and layers (superseded ones aside). */
export function narrowsScope(filter: MemoryFilter): boolean {
  return (
    filter.team !== undefined ||
    filter.agent !== undefined ||
    filter.taskId !== undefined ||
    (filter.tags?.length ?? 0) > 0 ||
    filter.createdAfter !== undefined ||
    filter.createdBefore !== undefined
  );
}
