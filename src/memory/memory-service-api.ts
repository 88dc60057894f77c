// What the memory service offers (its contract), apart from how createMemoryService builds it.
import type { MemoryLayer, MemoryRecord, MemoryStats } from '../store/memory-store.js';
import type { ProcedureRecord } from '../store/procedure-store.js';
import type { ExtractedFact } from './extract-facts.js';
import type { ProcedureRun } from './procedural-memory.js';
import type { RememberOutcome } from './remember-fact.js';
import type { ScoredMemory, SearchMode } from './search-memories.js';
import type { WorkingMemory } from './working-memory.js';
import type { Episode } from './episode.js';

/** A search over one tenant's memories. */
export interface MemoryQuery {
  tenant: string;
  text: string;
  limit: number;
  layers?: MemoryLayer[] | undefined;
  team?: string | null | undefined;
  agent?: string | null | undefined;
  taskId?: string | null | undefined;
  tags?: string[] | undefined;
  /** Made at or after this time (epoch ms). */
  createdAfter?: number | undefined;
  /** Made before this time (epoch ms). */
  createdBefore?: number | undefined;
  includeSuperseded?: boolean | undefined;
  mode?: SearchMode | undefined;
}

/** A memory written by hand (an operation) rather than by a task. */
export interface NewMemory {
  tenant: string;
  /** Default `semantic`. */
  layer?: MemoryLayer | undefined;
  content: string;
  importance?: number | undefined;
  tags?: string[] | undefined;
  team?: string | null | undefined;
  agent?: string | null | undefined;
  taskId?: string | null | undefined;
  /** Where it came from, for provenance (default: none). */
  source?: string | null | undefined;
}

/** The fields of a memory a user may edit. */
export interface MemoryEdit {
  content?: string | undefined;
  importance?: number | undefined;
  tags?: string[] | undefined;
}

/** Memory for tasks (recall, episodes, facts, procedures, working notes) and for users (search, edit, forget). */
export interface MemoryService {
  /** The embedding model's id, or null for text-only memory. */
  readonly embeddingModel: string | null;
  /**
   * The memories most relevant to `text` in the tenant, as a block to put before the task (empty
   * when there are none), within `memory.recall.maxTokens` and `share` of the expected input (but
   * not below `minTokens`).
   * Recalled memories count an access.
   */
  recall(query: {
    tenant: string;
    text: string;
    now: number;
    /** Also recall what dry runs left (default false: only a dry run itself should see them). */
    dryRun?: boolean;
    /**
     * The task's sensitive calls stay on local models (hybrid, `local` mode): it may recall what
     * such tasks left (tagged `local-only`); no other task does.
     */
    localOnly?: boolean;
    /** The agent's expected input tokens: the block stays within `memory.recall.share` of them. */
    expectedInputTokens?: number;
  }): Promise<{ block: string; memories: ScoredMemory[]; vector?: Float32Array | undefined }>;
  /**
   * Writes a task's episode, under the PII policy (null when `drop` leaves it out). Its vector is
   * `vector` (the embedding of the task's prompt, as recall made it: an episode is found by tasks
   * like its own) or, without one, made in the background.
   */
  recordEpisode(episode: Episode, now: number, vector?: Float32Array): Promise<MemoryRecord | null>;
  /**
   * Writes a task's facts to the semantic layer (junk refused, duplicates merged, contradictions
   * superseded), without waiting for the embedder: duplicates are found by their words, and the
   * vectors are made in the background.
   */
  rememberFacts(
    input: {
      tenant: string;
      team?: string | null;
      taskId: string;
      step: string;
      facts: readonly ExtractedFact[];
      instructions?: readonly string[];
      tags?: string[];
    },
    now: number,
  ): Promise<RememberOutcome[]>;
  /** Adds a finished run to procedural memory (a new procedure's vector is made in the background). */
  recordProcedure(run: ProcedureRun, now: number): Promise<ProcedureRecord>;
  /**
   * Resolves once every memory written so far has its vector (what tasks wrote is embedded in the
   * background); at once with text-only memory.
   */
  settled(): Promise<void>;
  /** Embeds what still waits for up to `timeoutMs`, then stops background work (see VectorIndexer). */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Once its task has ended: the task's working notes under the PII policy like every other memory
   * (the task itself needed the values; what stays in the shared store afterwards must not keep them).
   */
  sealWorkingNotes(tenant: string, taskId: string): Promise<void>;
  /** Deletes a task's working notes (its task is being pruned); returns how many there were. */
  dropWorkingNotes(tenant: string, taskId: string): Promise<number>;
  /** A task's working notes. */
  workingMemory(options: {
    tenant: string;
    taskId: string;
    team?: string | null;
    now: () => number;
    summarise?: (notes: readonly string[]) => Promise<string>;
  }): WorkingMemory;
  /** Hybrid search with score components. */
  search(query: MemoryQuery, now: number): Promise<ScoredMemory[]>;
  /** Adds a memory by hand; a semantic one passes the same checks as a task's facts. */
  add(input: NewMemory, now: number): Promise<RememberOutcome>;
  /** The memory (throws `memory.not_found`). */
  get(id: string, tenant: string): Promise<MemoryRecord>;
  /** Changes a memory's content, importance or tags; new content is embedded again. */
  edit(id: string, tenant: string, edit: MemoryEdit): Promise<MemoryRecord>;
  /** Deletes a memory from the table and every index (and the procedure it describes). */
  forget(id: string, tenant: string): Promise<void>;
  stats(
    tenant: string,
  ): Promise<
    MemoryStats & { vectorIndex: string; vectorIndexDetail: string | null; embeddingModel: string | null }
  >;
  /** Re-embeds every memory whose vector is missing or from another model. */
  reembed(options?: {
    onProgress?: (done: number) => void;
  }): Promise<{ model: string | null; reembedded: number; current: number }>;
  /** Aggregated outcomes per task kind, topology, team and models, most used first. */
  procedures(query: {
    tenant: string;
    taskKind?: string;
    topology?: string;
    limit: number;
  }): Promise<ProcedureRecord[]>;
}
