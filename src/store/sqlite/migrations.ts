import type Database from 'better-sqlite3';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';

/** One schema change: applied once, in version order, and recorded in `schema_migrations`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Append only: a released migration is never edited, because databases in the field have
// already applied it. Enum-like columns (status, kind) carry no CHECK constraints, since
// SQLite cannot alter a constraint without rebuilding the table; the contracts' types guard them.
/** Every migration the code knows, oldest first. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create tasks, journal, traces and ledger',
    sql: `
      CREATE TABLE tasks (
        id          TEXT PRIMARY KEY,
        status      TEXT NOT NULL,
        prompt      TEXT NOT NULL,
        input       TEXT NOT NULL,
        output      TEXT,
        error       TEXT,
        result      TEXT,
        simulated   INTEGER NOT NULL,
        owner       TEXT,
        heartbeat_at INTEGER,
        created_at  INTEGER NOT NULL,
        started_at  INTEGER,
        finished_at INTEGER
      );
      CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC);
      CREATE INDEX tasks_status_created ON tasks (status, created_at DESC, id DESC);
      CREATE INDEX tasks_owner ON tasks (owner) WHERE owner IS NOT NULL;

      CREATE TABLE task_events (
        task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,
        type    TEXT NOT NULL,
        time    INTEGER NOT NULL,
        data    TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      ) WITHOUT ROWID;

      -- No foreign key to tasks: the journal (like spans and costs) is usable on its own.
      CREATE TABLE steps (
        task_id     TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        name        TEXT NOT NULL,
        status      TEXT NOT NULL,
        output      TEXT,
        error       TEXT,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE spans (
        span_id        TEXT PRIMARY KEY,
        trace_id       TEXT NOT NULL,
        parent_span_id TEXT,
        task_id        TEXT,
        name           TEXT NOT NULL,
        kind           TEXT NOT NULL,
        start_time     INTEGER NOT NULL,
        end_time       INTEGER NOT NULL,
        status         TEXT NOT NULL,
        status_message TEXT,
        attributes     TEXT NOT NULL
      );
      CREATE INDEX spans_task ON spans (task_id, start_time);

      CREATE TABLE cost_ledger (
        id            TEXT PRIMARY KEY,
        task_id       TEXT,
        agent         TEXT,
        model_id      TEXT NOT NULL,
        provider      TEXT NOT NULL,
        input_tokens  INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd      REAL NOT NULL,
        source        TEXT NOT NULL,
        created_at    INTEGER NOT NULL
      );
      CREATE INDEX cost_ledger_task ON cost_ledger (task_id, created_at);
      CREATE INDEX cost_ledger_created ON cost_ledger (created_at);
    `,
  },
  {
    version: 2,
    name: 'key steps by scope path; add human reviews',
    sql: `
      -- Steps of concurrent branches cannot be identified by one call-order number: the key is the
      -- call order within a scope, prefixed by the scope path. Old rows keep their seq as the key.
      CREATE TABLE steps_v2 (
        task_id     TEXT NOT NULL,
        key         TEXT NOT NULL,
        name        TEXT NOT NULL,
        status      TEXT NOT NULL,
        output      TEXT,
        error       TEXT,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, key)
      );
      INSERT INTO steps_v2 (task_id, key, name, status, output, error, started_at, finished_at)
        SELECT task_id, CAST(seq AS TEXT), name, status, output, error, started_at, finished_at
        FROM steps ORDER BY task_id, seq;
      DROP TABLE steps;
      ALTER TABLE steps_v2 RENAME TO steps;

      CREATE TABLE reviews (
        id          TEXT PRIMARY KEY,
        task_id     TEXT NOT NULL,
        step_key    TEXT NOT NULL,
        kind        TEXT NOT NULL,
        question    TEXT NOT NULL,
        payload     TEXT,
        status      TEXT NOT NULL,
        answer      TEXT,
        created_at  INTEGER NOT NULL,
        answered_at INTEGER,
        UNIQUE (task_id, step_key)
      );
      CREATE INDEX reviews_status_created ON reviews (status, created_at DESC, id DESC);
    `,
  },
  {
    version: 3,
    name: 'router knowledge per model and task kind',
    sql: `
      CREATE TABLE router_stats (
        model_id           TEXT NOT NULL,
        kind               TEXT NOT NULL,
        calls              INTEGER NOT NULL,
        errors             INTEGER NOT NULL,
        passes             REAL NOT NULL,
        fails              REAL NOT NULL,
        score_count        INTEGER NOT NULL,
        score_mean         REAL NOT NULL,
        score_m2           REAL NOT NULL,
        latency_ewma_ms    REAL,
        latency_samples_ms TEXT NOT NULL,
        cost_usd           REAL NOT NULL,
        input_tokens       INTEGER NOT NULL,
        output_tokens      INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        PRIMARY KEY (model_id, kind)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'memories with a full-text index',
    sql: `
      -- The integer rowid keys the full-text index and the vector index; id is the public key.
      CREATE TABLE memories (
        rowid            INTEGER PRIMARY KEY,
        id               TEXT NOT NULL UNIQUE,
        layer            TEXT NOT NULL,
        tenant           TEXT NOT NULL,
        team             TEXT,
        agent            TEXT,
        task_id          TEXT,
        content          TEXT NOT NULL,
        embedding        BLOB,
        embedding_model  TEXT,
        importance       REAL NOT NULL,
        created_at       INTEGER NOT NULL,
        last_accessed_at INTEGER NOT NULL,
        access_count     INTEGER NOT NULL,
        valid_from       INTEGER NOT NULL,
        valid_to         INTEGER,
        superseded_by    TEXT,
        provenance       TEXT NOT NULL,
        tags             TEXT NOT NULL
      );
      CREATE INDEX memories_scope ON memories (tenant, layer, created_at);

      CREATE VIRTUAL TABLE memories_fts USING fts5(
        content, content = 'memories', content_rowid = 'rowid', tokenize = 'porter unicode61'
      );
      CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts (rowid, content) VALUES (new.rowid, new.content);
      END;
      CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
      END;
      CREATE TRIGGER memories_fts_update AFTER UPDATE OF content ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
        INSERT INTO memories_fts (rowid, content) VALUES (new.rowid, new.content);
      END;
    `,
  },
  {
    version: 5,
    name: 'procedural memory aggregates and the audit log',
    sql: `
      CREATE TABLE procedures (
        tenant            TEXT NOT NULL,
        task_kind         TEXT NOT NULL,
        topology          TEXT NOT NULL,
        team_signature    TEXT NOT NULL,
        models            TEXT NOT NULL,
        memory_id         TEXT NOT NULL,
        count             INTEGER NOT NULL,
        passes            INTEGER NOT NULL,
        total_cost_usd    REAL NOT NULL,
        total_duration_ms REAL NOT NULL,
        first_at          INTEGER NOT NULL,
        last_at           INTEGER NOT NULL,
        PRIMARY KEY (tenant, task_kind, topology, team_signature, models)
      ) WITHOUT ROWID;
      CREATE INDEX procedures_memory ON procedures (memory_id);

      CREATE TABLE audit_events (
        id      TEXT PRIMARY KEY,
        at      INTEGER NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        target  TEXT NOT NULL,
        tenant  TEXT,
        details TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX audit_events_target ON audit_events (target, id);
    `,
  },
  {
    version: 6,
    name: 'judge verdicts and calibrations',
    sql: `
      CREATE TABLE verdicts (
        id          TEXT PRIMARY KEY,
        task_id     TEXT NOT NULL,
        round       INTEGER NOT NULL,
        rubric_name TEXT NOT NULL,
        rubric_hash TEXT NOT NULL,
        mode        TEXT NOT NULL,
        approved    INTEGER NOT NULL,
        score       REAL,
        checks      TEXT NOT NULL,
        votes       TEXT NOT NULL,
        consensus   TEXT NOT NULL,
        n_eff       REAL,
        cost_usd    REAL NOT NULL,
        created_at  INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX verdicts_task ON verdicts (task_id, round);
      CREATE INDEX verdicts_rubric ON verdicts (rubric_hash, created_at DESC);

      CREATE TABLE calibrations (
        id          TEXT PRIMARY KEY,
        rubric_name TEXT NOT NULL,
        rubric_hash TEXT NOT NULL,
        report      TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX calibrations_rubric ON calibrations (rubric_hash, created_at DESC);
    `,
  },
  {
    version: 7,
    name: 'memory search: candidate filter index and quantized vector codes',
    sql: `
      -- Search candidates (full-text matches, vector candidates) are checked against the scope
      -- filter one by one. A memories row carries its 2 KB embedding, about one row per page, so
      -- reading it per candidate dominated a search; this index holds every filter column (and
      -- the id) by rowid, a few dozen bytes per memory.
      CREATE INDEX memories_search_filter
        ON memories (rowid, tenant, layer, valid_to, team, agent, task_id, created_at, id);

      -- Full-text search within a scope: a token per tenant and per layer in a second FTS5 column,
      -- so FTS5 intersects a query's matches with the scope before each one is checked and scored.
      -- Hex keeps any tenant name one token. The column is generated, so the external-content FTS5
      -- table reads (and rebuilds from) it like content.
      ALTER TABLE memories ADD COLUMN search_scope TEXT
        GENERATED ALWAYS AS ('t' || hex(tenant) || ' l' || hex(layer)) VIRTUAL;
      DROP TRIGGER memories_fts_insert;
      DROP TRIGGER memories_fts_delete;
      DROP TRIGGER memories_fts_update;
      DROP TABLE memories_fts;
      CREATE VIRTUAL TABLE memories_fts USING fts5(
        content, search_scope, content = 'memories', content_rowid = 'rowid', tokenize = 'porter unicode61'
      );
      INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');
      CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts (rowid, content, search_scope) VALUES (new.rowid, new.content, new.search_scope);
      END;
      CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, content, search_scope)
          VALUES ('delete', old.rowid, old.content, old.search_scope);
      END;
      CREATE TRIGGER memories_fts_update AFTER UPDATE OF content, tenant, layer ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, content, search_scope)
          VALUES ('delete', old.rowid, old.content, old.search_scope);
        INSERT INTO memories_fts (rowid, content, search_scope) VALUES (new.rowid, new.content, new.search_scope);
      END;

      -- The vector index: each embedding as a 2-bit code per dimension, packed up to 64 to a row
      -- per (dimensions, tenant, layer), so a search reads a tenant's codes in a few hundred rows.
      -- slots: per memory, its rowid (float64, little-endian), then its code.
      -- It replaces the sqlite-vec vec0 tables (memory_vectors_<dimensions>).
      CREATE TABLE memory_vector_chunks (
        chunk      INTEGER PRIMARY KEY,
        dimensions INTEGER NOT NULL,
        tenant     TEXT NOT NULL,
        layer      TEXT NOT NULL,
        slots      BLOB NOT NULL
      );
      CREATE INDEX memory_vector_chunks_scope ON memory_vector_chunks (dimensions, tenant, layer, chunk);

      -- The codes are computed in TypeScript, not SQL: a row here asks the memory store to build
      -- them from the embeddings already stored when it next opens the database.
      CREATE TABLE memory_vector_rebuild (requested_at INTEGER NOT NULL);
      INSERT INTO memory_vector_rebuild (requested_at)
        SELECT unixepoch() * 1000 WHERE EXISTS (SELECT 1 FROM memories WHERE embedding IS NOT NULL);
    `,
  },
  {
    version: 8,
    name: 'audit log by tenant',
    sql: `
      -- Listing one tenant's audit events, newest first and paged by id.
      CREATE INDEX audit_events_tenant ON audit_events (tenant, id);
    `,
  },
  {
    version: 9,
    name: 'memories awaiting a vector',
    sql: `
      -- A task writes its memories without waiting for the embedder: such a row names its model but
      -- has no embedding yet, and the background indexer finds it here, oldest first.
      CREATE INDEX memories_awaiting_vector ON memories (created_at, id)
        WHERE embedding IS NULL AND embedding_model IS NOT NULL;
    `,
  },
  {
    version: 10,
    name: 'router health: circuits and rate-limit windows',
    sql: `
      -- Written with router_stats in the router's batches, so that every process sharing the
      -- database shows (and honours) the circuits another one opened.
      CREATE TABLE router_health (
        scope              TEXT NOT NULL CHECK (scope IN ('model', 'provider')),
        id                 TEXT NOT NULL,
        state              TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half-open')),
        opened_at          INTEGER,
        rate_limited_until INTEGER,
        updated_at         INTEGER NOT NULL,
        PRIMARY KEY (scope, id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 11,
    name: 'memory text search: one scope token per tenant and layer',
    sql: `
      -- search_scope held a token for the tenant and one for the layer. A search within layers matched
      -- both, and FTS5's BM25 walks the whole doclist of every token of a query for its IDF: the layer's
      -- spans every tenant, so that walk grew with the whole database. The second token is now the
      -- tenant and the layer together ('s' || hex(tenant) || 'x' || hex(layer); no hex digit is an x),
      -- so a search within layers matches those tokens only, each as long as its tenant's layer. Still
      -- two tokens per memory: BM25's length normalisation, and every score, stay as they were.
      DROP TRIGGER memories_fts_insert;
      DROP TRIGGER memories_fts_delete;
      DROP TRIGGER memories_fts_update;
      DROP TABLE memories_fts;
      ALTER TABLE memories DROP COLUMN search_scope;
      ALTER TABLE memories ADD COLUMN search_scope TEXT
        GENERATED ALWAYS AS ('t' || hex(tenant) || ' s' || hex(tenant) || 'x' || hex(layer)) VIRTUAL;
      CREATE VIRTUAL TABLE memories_fts USING fts5(
        content, search_scope, content = 'memories', content_rowid = 'rowid', tokenize = 'porter unicode61'
      );
      INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');
      CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts (rowid, content, search_scope) VALUES (new.rowid, new.content, new.search_scope);
      END;
      CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, content, search_scope)
          VALUES ('delete', old.rowid, old.content, old.search_scope);
      END;
      CREATE TRIGGER memories_fts_update AFTER UPDATE OF content, tenant, layer ON memories BEGIN
        INSERT INTO memories_fts (memories_fts, rowid, content, search_scope)
          VALUES ('delete', old.rowid, old.content, old.search_scope);
        INSERT INTO memories_fts (rowid, content, search_scope) VALUES (new.rowid, new.content, new.search_scope);
      END;
    `,
  },
  {
    version: 12,
    name: 'api keys',
    sql: `
      -- Only the SHA-256 of a key is kept; a request finds its key by that hash. A name is unique
      -- among the keys still in force, so a revoked key's name can be given to its replacement.
      CREATE TABLE api_keys (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        prefix       TEXT NOT NULL,
        hash         TEXT NOT NULL UNIQUE,
        role         TEXT NOT NULL,
        tenant       TEXT,
        created_at   INTEGER NOT NULL,
        created_by   TEXT NOT NULL,
        expires_at   INTEGER,
        revoked_at   INTEGER,
        last_used_at INTEGER
      );
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 13,
    name: 'create secrets',
    // Values are AES-256-GCM ciphertexts; the key never touches the database (see docs/security/vault.md).
    sql: `
      CREATE TABLE secrets (
        name       TEXT PRIMARY KEY,
        ciphertext BLOB NOT NULL,
        nonce      BLOB NOT NULL,
        key_id     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 14,
    name: 'task origin and step start marks',
    sql: `
      -- The configuration a task was started with (a hash of its effective config, never a value of
      -- it, and the path of its config file): only a process with the same config resumes it.
      ALTER TABLE tasks ADD COLUMN config_fingerprint TEXT;
      ALTER TABLE tasks ADD COLUMN config_path TEXT;
      -- A step that must not silently run twice (a tool with side effects) is marked here before it
      -- runs; a mark with no row in steps means a run was cut off mid-step.
      CREATE TABLE step_starts (
        task_id    TEXT NOT NULL,
        key        TEXT NOT NULL,
        name       TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 15,
    name: 'cost ledger: pending rows before dispatch, usage over the requested output cap',
    sql: `
      -- A row is written before its call is dispatched (pending, at the call's estimate) and settled
      -- with the journaled step, so a crash between the provider's last byte and the settlement
      -- leaves a row the resumed task counts (marked interrupted) instead of nothing.
      ALTER TABLE cost_ledger ADD COLUMN status TEXT NOT NULL DEFAULT 'settled';
      ALTER TABLE cost_ledger ADD COLUMN over_max_tokens INTEGER;
      CREATE INDEX cost_ledger_pending ON cost_ledger (task_id) WHERE status = 'pending';
      -- The router learns each model's output length per task kind (budgets reserve its p95, not the
      -- output cap) and counts the calls whose usage passed the max_tokens they asked for.
      ALTER TABLE router_stats ADD COLUMN output_token_samples TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE router_stats ADD COLUMN over_max_tokens_calls INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 16,
    name: 'mcp tool pins',
    sql: `
      -- The approved definition of each MCP server's tool (a hash of its name, description and input
      -- schema): a server that later changes a definition gets that tool disabled until re-approved.
      CREATE TABLE mcp_tool_pins (
        server      TEXT NOT NULL,
        tool        TEXT NOT NULL,
        hash        TEXT NOT NULL,
        approved_at INTEGER NOT NULL,
        approved_by TEXT NOT NULL,
        PRIMARY KEY (server, tool)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 17,
    name: 'task pruning: ledger rows marked pruned, finished tasks by finish time',
    sql: `
      -- A pruned task's cost rows stay (budgets and cost history count them) with the time its task
      -- was pruned; the rest of the task (journal, events, spans, reviews, verdicts) is deleted.
      ALTER TABLE cost_ledger ADD COLUMN pruned_at INTEGER;
      -- Pruning walks finished tasks oldest finish first.
      CREATE INDEX tasks_finished ON tasks (finished_at, id) WHERE finished_at IS NOT NULL;
    `,
  },
];

/** Applies the pending migrations in one transaction; returns the versions it applied. */
export function applyMigrations(db: Database.Database, known: readonly Migration[] = migrations): number[] {
  assertOrdered(known);
  const latestKnown = known.at(-1)?.version ?? 0;
  // IMMEDIATE takes the write lock before reading the version, so two processes opening a
  // fresh file at once cannot both decide to apply the same migration.
  const apply = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
      version: number | null;
    };
    const current = row.version ?? 0;
    if (current > latestKnown) {
      throw new AgentdError({
        code: 'store.schema_too_new',
        message:
          `database '${db.name}' has schema version ${current}, but this agentd only knows up to ` +
          `version ${latestKnown}; it was written by a newer agentd — upgrade agentd to open it`,
        details: { path: db.name, schemaVersion: current, supportedVersion: latestKnown },
      });
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const migration of known) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      applied.push(migration.version);
    }
    return applied;
  });
  return apply.immediate();
}

function assertOrdered(known: readonly Migration[]): void {
  let previous = 0;
  for (const migration of known) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new AgentdError({
        code: 'store.invalid_migrations',
        message: `migration versions must be positive integers in increasing order; '${migration.name}' has version ${migration.version} after ${previous}`,
      });
    }
    previous = migration.version;
  }
}
