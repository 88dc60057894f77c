import type pg from 'pg';
import type { Json } from '../../core/json.js';
import type { CalibrationRecord, VerdictRecord, VerdictStore } from '../verdict-store.js';
import { jsonParam } from './pg-query.js';

interface VerdictRow {
  id: string;
  task_id: string;
  round: number;
  rubric_name: string;
  rubric_hash: string;
  mode: string;
  approved: boolean;
  score: number | null;
  checks: Json;
  votes: Json;
  consensus: Json;
  n_eff: number | null;
  cost_usd: number;
  created_at: number;
}

interface CalibrationRow {
  id: string;
  rubric_name: string;
  rubric_hash: string;
  report: Json;
  created_at: number;
}

const COLUMNS = `id, task_id, round, rubric_name, rubric_hash, mode, approved, score, checks, votes, consensus,
  n_eff, cost_usd, created_at`;

/** The VerdictStore on PostgreSQL. */
export class PostgresVerdictStore implements VerdictStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async add(verdict: VerdictRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO verdicts (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, $12, $13, $14)`,
      [
        verdict.id,
        verdict.taskId,
        verdict.round,
        verdict.rubricName,
        verdict.rubricHash,
        verdict.mode,
        verdict.approved,
        verdict.score,
        jsonParam(verdict.checks),
        jsonParam(verdict.votes),
        jsonParam(verdict.consensus),
        verdict.nEff,
        verdict.costUsd,
        verdict.createdAt,
      ],
    );
  }

  async listByTask(taskId: string): Promise<VerdictRecord[]> {
    const { rows } = await this.#pool.query<VerdictRow>(
      `SELECT ${COLUMNS} FROM verdicts WHERE task_id = $1 ORDER BY round, created_at`,
      [taskId],
    );
    return rows.map(toVerdict);
  }

  async listByRubric(query: { rubricHash: string; limit: number }): Promise<VerdictRecord[]> {
    const { rows } = await this.#pool.query<VerdictRow>(
      `SELECT ${COLUMNS} FROM verdicts WHERE rubric_hash = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [query.rubricHash, query.limit],
    );
    return rows.map(toVerdict);
  }

  async saveCalibration(calibration: CalibrationRecord): Promise<void> {
    await this.#pool.query(
      'INSERT INTO calibrations (id, rubric_name, rubric_hash, report, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)',
      [
        calibration.id,
        calibration.rubricName,
        calibration.rubricHash,
        jsonParam(calibration.report),
        calibration.createdAt,
      ],
    );
  }

  async latestCalibration(rubricHash: string): Promise<CalibrationRecord | null> {
    const { rows } = await this.#pool.query<CalibrationRow>(
      `SELECT id, rubric_name, rubric_hash, report, created_at FROM calibrations
       WHERE rubric_hash = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
      [rubricHash],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          rubricName: row.rubric_name,
          rubricHash: row.rubric_hash,
          report: row.report,
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
    approved: row.approved,
    score: row.score,
    checks: row.checks,
    votes: row.votes,
    consensus: row.consensus,
    nEff: row.n_eff,
    costUsd: row.cost_usd,
    createdAt: row.created_at,
  };
}
