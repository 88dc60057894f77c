import { fnv1a } from '../core/hash.js';
import { newId } from '../core/ids.js';
import { newMemory } from './new-memory.js';
import type { MemoryRecord, MemoryStore } from '../store/memory-store.js';
import type { ProcedureRecord, ProcedureStore } from '../store/procedure-store.js';

/** One finished run of a team on a task, as procedural memory aggregates it. */
export interface ProcedureRun {
  tenant: string;
  taskId: string;
  taskKind: string;
  topology: string;
  teamSignature: string;
  models: readonly string[];
  passed: boolean;
  costUsd: number;
  durationMs: number;
}

/**
 * A team's shape as a short, stable string: its agents' names in order and a hash of their tools.
 * Instructions are left out: team design writes new ones for every task, and a procedure is about
 * which shape of team worked for which kind of task.
 */
export function teamSignature(team: {
  agents: readonly { name: string; tools?: readonly string[] | undefined }[];
}): string {
  const names = team.agents.map((agent) => agent.name).join('>');
  const tools = team.agents.map((agent) => (agent.tools ?? []).join(','));
  return `${names}#${fnv1a(tools.join('\u0001')).toString(16).padStart(8, '0')}`;
}

/**
 * Adds a run to its procedure's aggregate and keeps the procedural memory that describes it in
 * words up to date (so recall and search find it, and forgetting it removes the aggregate). A new
 * procedure's memory awaits its vector from `vectorLater` (the background indexer makes it); later
 * runs change only its figures, so they keep the vector it has.
 */
export async function recordProcedure(
  deps: {
    memories: MemoryStore;
    procedures: ProcedureStore;
    /** The model that will embed a new procedure's memory, or null for text-only memory. */
    vectorLater?: string | null | undefined;
    now: number;
  },
  run: ProcedureRun,
): Promise<{ procedure: ProcedureRecord; memory: MemoryRecord | null }> {
  const { memories, procedures, now } = deps;
  const fresh = newId('mem', now);
  const procedure = await procedures.record({
    tenant: run.tenant,
    taskKind: run.taskKind,
    topology: run.topology,
    teamSignature: run.teamSignature,
    models: [...new Set(run.models)].sort().join(',') || 'none',
    memoryId: fresh,
    passed: run.passed,
    costUsd: run.costUsd,
    durationMs: run.durationMs,
    at: now,
  });
  const content = describeProcedure(procedure);
  if (procedure.memoryId !== fresh) {
    // Another run made the procedure (and writes its memory); this one refreshes the words. When
    // that run is still writing (concurrent tasks), its memory is not there yet and the next run
    // of the procedure brings the words up to date.
    const memory = await memories.update(procedure.memoryId, run.tenant, { content });
    return { procedure, memory };
  }
  const memory = newMemory(
    { tenant: run.tenant, layer: 'procedural', content, now },
    {
      id: procedure.memoryId,
      embedding: null,
      embeddingModel: deps.vectorLater ?? null,
      provenance: { taskId: run.taskId, step: null, source: null },
      tags: [run.taskKind, run.topology],
    },
  );
  await memories.add(memory);
  return { procedure, memory };
}

/** A procedure in one sentence, e.g. "For code tasks, a sequential team … passed 3 of 4 runs …". */
export function describeProcedure(procedure: ProcedureRecord): string {
  const rate = Math.round((100 * procedure.passes) / procedure.count);
  return (
    `For ${procedure.taskKind} tasks, a ${procedure.topology} team (${procedure.teamSignature.split('#')[0]}) ` +
    `on ${procedure.models} passed ${procedure.passes} of ${procedure.count} runs (${rate}%), ` +
    `mean $${(procedure.totalCostUsd / procedure.count).toFixed(4)} and ` +
    `${(procedure.totalDurationMs / procedure.count / 1000).toFixed(1)} s per run.`
  );
}
