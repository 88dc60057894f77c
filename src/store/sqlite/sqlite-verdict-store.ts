import type Database from 'better-sqlite3';
import type { Json } from '../../core/json.js';
import type { CalibrationRecord, VerdictRecord, VerdictStore } from '../verdict-store.js';

interface VerdictRow {
  id: string;
  task_id: string;
  round: number;
  rubric_name: string;
  rubric_hash: string;
  mode: string;
  approved: number;
  score: number | null;
  checks: string;
  votes: string;
  consensus: string;
  n_eff: number | null;
  cost_usd: number;
  created_at: number;
}

interface CalibrationRow {
  id: string;
  rubric_name: string;
  rubric_hash: string;
  report: string;
  created_at: number;
}

/** The VerdictStore on SQLite. */
export class SqliteVerdictStore implements VerdictStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async add(verdict: VerdictRecord): Promise<void> {
    this.#db
      .prepare(
        `
        INSERT INTO verdicts (id, task_id, round, rubric_name, rubric_hash, mode, approved, score, checks, votes,
          consensus, n_eff, cost_usd, created_at)
        VALUES (@id, @taskId, @round, @rubricName, @rubricHash, @mode, @approved, @score, @checks, @votes,
          @consensus, @nEff, @costUsd, @createdAt)
      `,
      )
      .run({
        ...verdict,
        approved: verdict.approved ? 1 : 0,
        checks: JSON.stringify(verdict.checks),
        votes: JSON.stringify(verdict.votes),
        consensus: JSON.stringify(verdict.consensus),
      });
  }

  async listByTask(taskId: string): Promise<VerdictRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM verdicts WHERE task_id = ? ORDER BY round, created_at')
      .all(taskId) as VerdictRow[];
    return rows.map(toVerdict);
  }

  async listByRubric(query: { rubricHash: string; limit: number }): Promise<VerdictRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM verdicts WHERE rubric_hash = ? ORDER BY created_at DESC, id DESC LIMIT ?')
      .all(query.rubricHash, query.limit) as VerdictRow[];
    return rows.map(toVerdict);
  }

  async saveCalibration(calibration: CalibrationRecord): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO calibrations (id, rubric_name, rubric_hash, report, created_at) VALUES (@id, @rubricName, @rubricHash, @report, @createdAt)',
      )
      .run({ ...calibration, report: JSON.stringify(calibration.report) });
  }

  async latestCalibration(rubricHash: string): Promise<CalibrationRecord | null> {
    const row = this.#db
      .prepare('SELECT * FROM calibrations WHERE rubric_hash = ? ORDER BY created_at DESC, id DESC LIMIT 1')
      .get(rubricHash) as CalibrationRow | undefined;
    return row
      ? {
          id: row.id,
          rubricName: row.rubric_name,
          rubricHash: row.rubric_hash,
          report: JSON.parse(row.report) as Json,
          createdAt: row.created_at,
        }
      : null;
  }
}

function toVerdict(row: VerdictRow): VerdictRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    round: row.round,
    rubricName: row.rubric_name,
    rubricHash: row.rubric_hash,
    mode: row.mode,
    approved: row.approved === 1,
    score: row.score,
    checks: JSON.parse(row.checks) as Json,
    votes: JSON.parse(row.votes) as Json,
    consensus: JSON.parse(row.consensus) as Json,
    nEff: row.n_eff,
    costUsd: row.cost_usd,
    createdAt: row.created_at,
  };
}
