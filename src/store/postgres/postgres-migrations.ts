import type { PgMigration } from './pg-migrations.js';

// Append only: a released migration is never edited, because databases in the field have applied
// it. The tables mirror the SQLite schema (src/store/sqlite/migrations.ts) as it stands after all of
// its migrations, with Postgres types: times are bigint ms (as in SQLite, so every store computes
// with the same numbers), JSON is jsonb, flags are boolean, bytes are bytea. Keys and ids that lists
// order or page by are COLLATE "C": byte order, as SQLite compares text, whatever the database's
// locale. A bigserial `seq` stands where SQLite's implicit rowid breaks ties by insertion order.
/** The migrations of the `core` component: every store but memory. */
export const postgresCoreMigrations: readonly PgMigration[] = [
  {
    version: 1,
    name: 'tasks, events, journal, spans, ledger, reviews, router, procedures, audit, verdicts, keys, secrets, mcp pins',
    sql: `
      CREATE TABLE tasks (
        id                 text COLLATE "C" PRIMARY KEY,
        status             text NOT NULL,
        prompt             text NOT NULL,
        input              jsonb NOT NULL,
        output             text,
        error              jsonb,
        result             jsonb,
        simulated          boolean NOT NULL,
        owner              text,
        heartbeat_at       bigint,
        created_at         bigint NOT NULL,
        started_at         bigint,
        finished_at        bigint,
        config_fingerprint text,
        config_path        text,
        -- The last event's seq: appends take the next one under the task's row lock, so concurrent
        -- appenders (in any process) get distinct, gapless numbers.
        event_seq          integer NOT NULL DEFAULT 0
      );
      CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC);
      CREATE INDEX tasks_status_created ON tasks (status, created_at DESC, id DESC);
      CREATE INDEX tasks_owner ON tasks (owner) WHERE owner IS NOT NULL;

      CREATE TABLE task_events (
        task_id text COLLATE "C" NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        seq     integer NOT NULL,
        type    text NOT NULL,
        time    bigint NOT NULL,
        data    jsonb NOT NULL,
        PRIMARY KEY (task_id, seq)
      );

      -- No foreign key to tasks: the journal (like spans and costs) is usable on its own.
      CREATE TABLE steps (
        task_id     text COLLATE "C" NOT NULL,
        key         text COLLATE "C" NOT NULL,
        seq         bigserial NOT NULL,
        name        text NOT NULL,
        status      text NOT NULL,
        output      jsonb,
        error       jsonb,
        started_at  bigint NOT NULL,
        finished_at bigint NOT NULL,
        PRIMARY KEY (task_id, key)
      );
      CREATE INDEX steps_task_finished ON steps (task_id, finished_at, seq);

      CREATE TABLE step_starts (
        task_id    text COLLATE "C" NOT NULL,
        key        text COLLATE "C" NOT NULL,
        name       text NOT NULL,
        started_at bigint NOT NULL,
        PRIMARY KEY (task_id, key)
      );

      CREATE TABLE spans (
        span_id        text COLLATE "C" PRIMARY KEY,
        trace_id       text NOT NULL,
        parent_span_id text,
        task_id        text COLLATE "C",
        name           text NOT NULL,
        kind           text NOT NULL,
        -- Span times are ms with a fractional part (sub-ms ordering and durations).
        start_time     double precision NOT NULL,
        end_time       double precision NOT NULL,
        status         text NOT NULL,
        status_message text,
        attributes     jsonb NOT NULL
      );
      CREATE INDEX spans_task ON spans (task_id, start_time);

      CREATE TABLE cost_ledger (
        id              text COLLATE "C" PRIMARY KEY,
        seq             bigserial NOT NULL,
        task_id         text COLLATE "C",
        agent           text,
        model_id        text NOT NULL,
        provider        text NOT NULL,
        input_tokens    bigint NOT NULL,
        output_tokens   bigint NOT NULL,
        cost_usd        double precision NOT NULL,
        source          text NOT NULL,
        status          text NOT NULL DEFAULT 'settled',
        over_max_tokens bigint,
        created_at      bigint NOT NULL
      );
      CREATE INDEX cost_ledger_task ON cost_ledger (task_id, created_at, seq);
      CREATE INDEX cost_ledger_created ON cost_ledger (created_at);
      CREATE INDEX cost_ledger_pending ON cost_ledger (task_id) WHERE status = 'pending';

      CREATE TABLE reviews (
        id          text COLLATE "C" PRIMARY KEY,
        task_id     text COLLATE "C" NOT NULL,
        step_key    text COLLATE "C" NOT NULL,
        kind        text NOT NULL,
        question    text NOT NULL,
        payload     jsonb,
        status      text NOT NULL,
        answer      jsonb,
        created_at  bigint NOT NULL,
        answered_at bigint,
        UNIQUE (task_id, step_key)
      );
      CREATE INDEX reviews_status_created ON reviews (status, created_at DESC, id DESC);
      CREATE INDEX reviews_created ON reviews (created_at DESC, id DESC);

      -- Counters are doubles: the router's figures are JS numbers, stored as they are.
      CREATE TABLE router_stats (
        model_id              text COLLATE "C" NOT NULL,
        kind                  text COLLATE "C" NOT NULL,
        calls                 double precision NOT NULL,
        errors                double precision NOT NULL,
        passes                double precision NOT NULL,
        fails                 double precision NOT NULL,
        score_count           double precision NOT NULL,
        score_mean            double precision NOT NULL,
        score_m2              double precision NOT NULL,
        latency_ewma_ms       double precision,
        latency_samples_ms    jsonb NOT NULL,
        cost_usd              double precision NOT NULL,
        input_tokens          double precision NOT NULL,
        output_tokens         double precision NOT NULL,
        output_token_samples  jsonb NOT NULL DEFAULT '[]',
        over_max_tokens_calls double precision NOT NULL DEFAULT 0,
        updated_at            bigint NOT NULL,
        PRIMARY KEY (model_id, kind)
      );

      CREATE TABLE router_health (
        scope              text COLLATE "C" NOT NULL CHECK (scope IN ('model', 'provider')),
        id                 text COLLATE "C" NOT NULL,
        state              text NOT NULL CHECK (state IN ('closed', 'open', 'half-open')),
        opened_at          bigint,
        rate_limited_until bigint,
        updated_at         bigint NOT NULL,
        PRIMARY KEY (scope, id)
      );

      CREATE TABLE procedures (
        tenant            text COLLATE "C" NOT NULL,
        task_kind         text COLLATE "C" NOT NULL,
        topology          text COLLATE "C" NOT NULL,
        team_signature    text COLLATE "C" NOT NULL,
        models            text COLLATE "C" NOT NULL,
        memory_id         text NOT NULL,
        count             bigint NOT NULL,
        passes            bigint NOT NULL,
        total_cost_usd    double precision NOT NULL,
        total_duration_ms double precision NOT NULL,
        first_at          bigint NOT NULL,
        last_at           bigint NOT NULL,
        PRIMARY KEY (tenant, task_kind, topology, team_signature, models)
      );
      CREATE INDEX procedures_memory ON procedures (memory_id);

      CREATE TABLE audit_events (
        id      text COLLATE "C" PRIMARY KEY,
        at      bigint NOT NULL,
        actor   text NOT NULL,
        action  text NOT NULL,
        target  text NOT NULL,
        tenant  text,
        details jsonb NOT NULL
      );
      CREATE INDEX audit_events_target ON audit_events (target, id);
      CREATE INDEX audit_events_tenant ON audit_events (tenant, id);

      CREATE TABLE verdicts (
        id          text COLLATE "C" PRIMARY KEY,
        task_id     text COLLATE "C" NOT NULL,
        round       integer NOT NULL,
        rubric_name text NOT NULL,
        rubric_hash text NOT NULL,
        mode        text NOT NULL,
        approved    boolean NOT NULL,
        score       double precision,
        checks      jsonb NOT NULL,
        votes       jsonb NOT NULL,
        consensus   jsonb NOT NULL,
        n_eff       double precision,
        cost_usd    double precision NOT NULL,
        created_at  bigint NOT NULL
      );
      CREATE INDEX verdicts_task ON verdicts (task_id, round);
      CREATE INDEX verdicts_rubric ON verdicts (rubric_hash, created_at DESC);

      CREATE TABLE calibrations (
        id          text COLLATE "C" PRIMARY KEY,
        rubric_name text NOT NULL,
        rubric_hash text NOT NULL,
        report      jsonb NOT NULL,
        created_at  bigint NOT NULL
      );
      CREATE INDEX calibrations_rubric ON calibrations (rubric_hash, created_at DESC);

      -- Only the SHA-256 of a key is kept. A name is unique among the keys still in force.
      CREATE TABLE api_keys (
        id           text COLLATE "C" PRIMARY KEY,
        name         text NOT NULL,
        prefix       text NOT NULL,
        hash         text NOT NULL UNIQUE,
        role         text NOT NULL,
        tenant       text,
        created_at   bigint NOT NULL,
        created_by   text NOT NULL,
        expires_at   bigint,
        revoked_at   bigint,
        last_used_at bigint
      );
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

      -- Values are AES-256-GCM ciphertexts; the key never touches the database.
      CREATE TABLE secrets (
        name       text COLLATE "C" PRIMARY KEY,
        ciphertext bytea NOT NULL,
        nonce      bytea NOT NULL,
        key_id     text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );

      CREATE TABLE mcp_tool_pins (
        server      text COLLATE "C" NOT NULL,
        tool        text COLLATE "C" NOT NULL,
        hash        text NOT NULL,
        approved_at bigint NOT NULL,
        approved_by text NOT NULL,
        PRIMARY KEY (server, tool)
      );
    `,
  },
  {
    version: 2,
    name: 'ledger rows outlive their pruned task',
    sql: `
      ALTER TABLE cost_ledger ADD COLUMN pruned_at bigint;
      CREATE INDEX tasks_finished ON tasks ((COALESCE(finished_at, created_at)), id)
        WHERE status IN ('succeeded', 'failed', 'cancelled');
    `,
  },
];
