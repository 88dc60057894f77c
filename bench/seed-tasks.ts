// Fills an agentd database with finished tasks quickly, for the load benchmark's big-database run:
// the finished tasks already in it are the templates, and each is cloned in SQL with every row that
// belongs to it (events, journal steps, spans, ledger rows, memories), so the clones look like the
// tasks a real server leaves behind. One INSERT … SELECT per table and template, over a recursive
// counter, copies all of a template's clones at once; ids get a `-s<n>` suffix to stay unique.
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';

/** What {@link seedTasks} did. */
export interface SeedReport {
  /** Finished tasks that were cloned. */
  templates: number;
  /** Tasks in the database afterwards. */
  totalTasks: number;
  /** Rows added per table. */
  rows: Record<string, number>;
  ms: number;
}

/**
 * Per table: the column holding the task id, and the key columns that get the clone's suffix (so
 * primary keys stay unique and references between cloned rows, like a span's parent, still hold).
 * Columns not named here are copied as they are; `rowid` aliases are left for SQLite to assign.
 */
const TABLES: Readonly<Record<string, { task: string; suffixed: readonly string[] }>> = {
  tasks: { task: 'id', suffixed: [] },
  task_events: { task: 'task_id', suffixed: [] },
  steps: { task: 'task_id', suffixed: [] },
  spans: { task: 'task_id', suffixed: ['span_id', 'trace_id', 'parent_span_id'] },
  cost_ledger: { task: 'task_id', suffixed: ['id'] },
  memories: { task: 'task_id', suffixed: ['id', 'superseded_by'] },
  verdicts: { task: 'task_id', suffixed: ['id'] },
};

/** Clones the finished tasks of the database at `path` until it holds `total` tasks. */
export function seedTasks(options: { path: string; total: number }): SeedReport {
  const started = performance.now();
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    const templates =
      // Clones are not templates: seeding again (to a bigger size) clones the tasks that really ran.
      (
        db
          .prepare(
            "SELECT id FROM tasks WHERE status = 'succeeded' AND id NOT LIKE '%-s%' ORDER BY created_at",
          )
          .all() as {
          id: string;
        }[]
      ).map((row) => row.id);
    const existing = (db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n;
    if (templates.length === 0) throw new Error('seedTasks: no finished task to clone');
    const missing = Math.max(0, options.total - existing);
    const statements = Object.entries(TABLES).map(([table, spec]) => ({
      table,
      statement: db.prepare(cloneSql(db, table, spec)),
    }));
    const rows: Record<string, number> = {};
    // Clones a template already has (from an earlier seeding): the new ones are numbered after them.
    const cloned = db.prepare("SELECT count(*) AS n FROM tasks WHERE id >= ? || '-s' AND id < ? || '-t'");
    db.transaction(() => {
      templates.forEach((template, index) => {
        // Spread the clones evenly; the first templates take the remainder.
        const clones = Math.floor(missing / templates.length) + (index < missing % templates.length ? 1 : 0);
        if (clones === 0) return;
        const { n: before } = cloned.get(template, template) as { n: number };
        for (const { table, statement } of statements) {
          const { changes } = statement.run({ template, clones, offset: index * 1_000_000 + before });
          rows[table] = (rows[table] ?? 0) + changes;
        }
      });
    })();
    const totalTasks = (db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n;
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { templates: templates.length, totalTasks, rows, ms: performance.now() - started };
  } finally {
    db.close();
  }
}

/** `INSERT INTO table (…) SELECT … FROM table, counter WHERE <task column> = @template`. */
function cloneSql(
  db: Database.Database,
  table: string,
  spec: { task: string; suffixed: readonly string[] },
): string {
  const columns = (
    db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; pk: number }[]
  )
    // An INTEGER PRIMARY KEY is the rowid: SQLite assigns the clone's.
    .filter((column) => !(column.pk === 1 && column.type.toUpperCase() === 'INTEGER'))
    .map((column) => column.name);
  const suffix = `'-s' || (@offset + n)`;
  const values = columns.map((column) =>
    column === spec.task
      ? `${column} || ${suffix}`
      : spec.suffixed.includes(column)
        ? `CASE WHEN ${column} IS NULL THEN NULL ELSE ${column} || ${suffix} END`
        : column,
  );
  return `
    WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < @clones)
    INSERT INTO ${table} (${columns.join(', ')})
    SELECT ${values.join(', ')} FROM ${table}, counter WHERE ${spec.task} = @template`;
}
