import type { PgMigration } from './pg-migrations.js';

/** The memory store's schema on Postgres (component `memory`), applied in order by migratePostgres. */
export const memoryMigrations: PgMigration[] = [
  {
    version: 1,
    name: 'memories with term statistics and vector codes',
    sql: `
      -- seq orders memories as SQLite's rowid does and keys the vector candidates; id is the public
      -- key. Identifiers and tenants compare bytewise (COLLATE "C"), as SQLite's TEXT does, so that
      -- paging by id and listing tenants give the same order whatever the database's locale. Times
      -- are float8 as SQLite keeps any number a caller gives.
      CREATE TABLE memories (
        seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id               text COLLATE "C" NOT NULL UNIQUE,
        layer            text NOT NULL,
        tenant           text COLLATE "C" NOT NULL,
        team             text,
        agent            text,
        task_id          text,
        content          text NOT NULL,
        embedding        bytea,
        embedding_model  text,
        importance       double precision NOT NULL,
        created_at       double precision NOT NULL,
        last_accessed_at double precision NOT NULL,
        access_count     bigint NOT NULL,
        valid_from       double precision NOT NULL,
        valid_to         double precision,
        superseded_by    text,
        provenance       jsonb NOT NULL,
        tags             jsonb NOT NULL,
        -- Full-text search: the content's terms as SQLite's FTS5 'porter unicode61' makes them
        -- (computed by the store, see fts5-terms.ts), their counts and the content's length in
        -- tokens, for BM25 as FTS5 computes it.
        search_terms     tsvector NOT NULL,
        term_counts      jsonb NOT NULL,
        text_tokens      integer NOT NULL,
        -- Vector search: the embedding's dimensions and its 2-bit code (see vector-codes.ts).
        dimensions       integer,
        code             bytea
      );
      CREATE INDEX memories_scope ON memories (tenant, layer, created_at);
      CREATE INDEX memories_search_terms ON memories USING gin (search_terms);
      -- A vector search reads the codes of a tenant's layers from this index alone.
      CREATE INDEX memories_codes ON memories (tenant, layer, dimensions) INCLUDE (seq, code)
        WHERE code IS NOT NULL;
      CREATE INDEX memories_awaiting_vector ON memories (created_at, id)
        WHERE embedding IS NULL AND embedding_model IS NOT NULL;
      -- Forgetting a memory hands its validity to the one it superseded.
      CREATE INDEX memories_superseded_by ON memories (superseded_by) WHERE superseded_by IS NOT NULL;

      -- BM25's collection statistics, as FTS5 keeps them for the whole index (every tenant): the
      -- number of memories and of their tokens, and per term the memories that hold it. Kept per
      -- tenant so that writers of different tenants never wait on the same rows; a search sums them.
      -- tokens counts two per memory besides its content: FTS5's scope column holds two tokens.
      CREATE TABLE memory_text_totals (
        tenant    text COLLATE "C" PRIMARY KEY,
        documents bigint NOT NULL,
        tokens    bigint NOT NULL
      );
      CREATE TABLE memory_terms (
        term      text COLLATE "C" NOT NULL,
        tenant    text COLLATE "C" NOT NULL,
        documents bigint NOT NULL,
        PRIMARY KEY (term, tenant)
      );

      -- A counter per vector scope, raised by every write that changes its codes (in the same
      -- transaction): a process that cached a scope's codes reads it to know they are still current.
      CREATE TABLE memory_vector_versions (
        tenant     text COLLATE "C" NOT NULL,
        layer      text NOT NULL,
        dimensions integer NOT NULL,
        version    bigint NOT NULL,
        PRIMARY KEY (tenant, layer, dimensions)
      );
    `,
  },
];
