/** The memory layers. */
export type MemoryLayer = 'working' | 'episodic' | 'semantic' | 'procedural';

/** Where a memory came from. */
export interface MemoryProvenance {
  taskId: string | null;
  /** The journal step key that produced it, when one did. */
  step: string | null;
  /** The text it was taken from (a sentence of an output, a turn of a conversation). */
  source: string | null;
}

/** One memory: content, its vector, scope, weight and validity. */
export interface MemoryRecord {
  id: string;
  layer: MemoryLayer;
  /** Scope: a tenant always; a team, agent and task when the memory belongs to one. */
  tenant: string;
  team: string | null;
  agent: string | null;
  taskId: string | null;
  content: string;
  /** The embedding, or null when none was computed (text search still finds it). */
  embedding: Float32Array | null;
  /** The id of the model that computed `embedding` (for re-embedding after a model change). */
  embeddingModel: string | null;
  /** 0–1. */
  importance: number;
  createdAt: number;
  lastAccessedAt: number;
  accessCount: number;
  /** The interval the memory is true in; a superseded fact keeps its record with `validTo` set. */
  validFrom: number;
  validTo: number | null;
  supersededBy: string | null;
  provenance: MemoryProvenance;
  tags: string[];
}

/** Which memories a search or count may see. `tenant` is required: tenants never see each other's. */
export interface MemoryFilter {
  tenant: string;
  layers?: readonly MemoryLayer[];
  /** Each given scope field must match exactly (null matches memories without one). */
  team?: string | null;
  agent?: string | null;
  taskId?: string | null;
  /** Every tag listed must be on the memory. */
  tags?: readonly string[];
  createdAfter?: number;
  createdBefore?: number;
  /** Superseded memories (with `validTo` set) are left out unless this is true. */
  includeSuperseded?: boolean;
}

/** A search hit: the memory's id and its raw score from one index. */
export interface MemoryHit {
  id: string;
  /** Text search: BM25 relevance (higher is better). Vector search: cosine similarity (−1–1). */
  score: number;
}

/** Changes {@link MemoryStore.apply} makes in one transaction. */
export interface MemoryChanges {
  add?: readonly MemoryRecord[];
  update?: readonly { id: string; patch: MemoryPatch }[];
  forget?: readonly string[];
}

/** The fields of a memory that can change after it is written. */
export type MemoryPatch = Partial<
  Pick<
    MemoryRecord,
    'content' | 'embedding' | 'embeddingModel' | 'importance' | 'validTo' | 'supersededBy' | 'tags' | 'layer'
  >
>;

/** Persists memories with a full-text index and a vector index, kept in step on every change. */
export interface MemoryStore {
  /**
   * How vectors are searched: 2-bit codes re-scored by the `sqlite-vec` extension, an exact scan of
   * stored vectors, or 2-bit codes scanned in the worker and re-scored there (Postgres without pgvector).
   */
  readonly vectorIndex: 'sqlite-vec' | 'exact-scan' | 'quantized-scan';
  /**
   * For people (`agentd doctor`): the vector index's version (`sqlite-vec v0.1.6`), or why the faster
   * one is not in use (the extension's load error). Optional: a store may have nothing to say.
   */
  readonly vectorIndexDetail?: string;
  /** Writes a new memory (throws AgentdError `memory.exists` for a taken id). */
  add(record: MemoryRecord): Promise<void>;
  /**
   * Writes new memories of any tenants together, all or none, in the order given: one transaction for
   * what a task (or a batch of tasks) leaves behind. `memory.exists` for a taken id, `memory.invalid`
   * for an invalid record, and nothing is written.
   */
  addMany(records: readonly MemoryRecord[]): Promise<void>;
  /** The memory, if it exists in the tenant. */
  get(id: string, tenant: string): Promise<MemoryRecord | null>;
  /** The memories with these ids in the tenant, in the order given (missing ones left out). */
  getMany(ids: readonly string[], tenant: string): Promise<MemoryRecord[]>;
  /** Changes fields of a memory; its indexes follow. Returns the updated memory, or null if none. */
  update(id: string, tenant: string, patch: MemoryPatch): Promise<MemoryRecord | null>;
  /**
   * Deletes a memory from the table and both indexes. A memory it superseded takes over its
   * validity: superseded by its successor from where it ended, or current again when it was
   * current. Returns whether it existed.
   */
  forget(id: string, tenant: string): Promise<boolean>;
  /**
   * Applies changes in the tenant together, all or none: adds, then updates (their results, null
   * for a missing memory, in order), then forgets.
   */
  apply(tenant: string, changes: MemoryChanges): Promise<(MemoryRecord | null)[]>;
  /** Full-text search (FTS5 BM25) within the filter, best first. */
  searchText(query: { text: string; filter: MemoryFilter; limit: number }): Promise<MemoryHit[]>;
  /** Nearest neighbours by cosine similarity within the filter, best first. */
  searchVector(query: { vector: Float32Array; filter: MemoryFilter; limit: number }): Promise<MemoryHit[]>;
  /** Records that memories were recalled: access count + 1, last access time. */
  touch(ids: readonly string[], tenant: string, at: number): Promise<void>;
  /** How many memories match the filter. */
  count(filter: MemoryFilter): Promise<number>;
  /** Memories matching the filter in id (creation) order, `limit` at a time after the id `after`. */
  list(query: { filter: MemoryFilter; limit: number; after?: string }): Promise<MemoryRecord[]>;
  /** Counts of the tenant's memories: current ones per layer, superseded ones, and per embedding model. */
  stats(tenant: string): Promise<MemoryStats>;
  /** Every tenant that has memories. */
  tenants(): Promise<string[]>;
  /**
   * Memories awaiting their vector, oldest first: written without one (`embedding` null) but naming
   * the model to embed them with (`embeddingModel`). A task writes its memories this way and a
   * background indexer embeds them (see memory/vector-indexer.ts); the mark is durable, so what a
   * crash left unembedded is found again.
   */
  awaitingVectors(limit: number): Promise<VectorRequest[]>;
}

/** What {@link MemoryStore.stats} reports. */
/** A memory that awaits its vector: what to embed, with which model, and where to store it. */
export interface VectorRequest {
  id: string;
  tenant: string;
  content: string;
  embeddingModel: string;
}

export interface MemoryStats {
  /** Current (not superseded) memories per layer. */
  layers: Record<MemoryLayer, number>;
  superseded: number;
  /** Every memory (superseded ones too) per embedding model id; `none` for memories without a vector. */
  embeddingModels: Record<string, number>;
}
