import { describe, expect, it } from 'vitest';
import type { ProcedureRecord } from '../store/procedure-store.js';
import {
  followsProcedure,
  preferredProcedure,
  procedureAgents,
  procedureEvidence,
  rankProcedures,
} from './preferred-procedure.js';

function procedure(
  teamSignature: string,
  count: number,
  passes: number,
  totalCostUsd = 0.01,
): ProcedureRecord {
  return {
    tenant: 'default',
    taskKind: 'code',
    topology: 'sequential',
    teamSignature,
    models: 'openai/gpt-4o-mini',
    memoryId: `mem_${teamSignature}`,
    count,
    passes,
    totalCostUsd,
    totalDurationMs: 1000,
    firstAt: 1,
    lastAt: 2,
  };
}

describe('procedure preference', () => {
  it('ranks by smoothed pass rate, so many passes beat one lucky run', () => {
    const lucky = procedure('lucky#1', 1, 1);
    const proven = procedure('proven#1', 10, 9);
    const failing = procedure('failing#1', 10, 0);
    expect(rankProcedures([lucky, failing, proven], 'code')).toEqual([proven, lucky]);
  });

  it('breaks ties by runs, then by mean cost', () => {
    const cheap = procedure('cheap#1', 4, 4, 0.004);
    const dear = procedure('dear#1', 4, 4, 0.4);
    expect(rankProcedures([dear, cheap], 'code')).toEqual([cheap, dear]);
  });

  it('prefers only a procedure with enough runs and a high pass rate, of the same task kind', () => {
    expect(preferredProcedure([procedure('a#1', 2, 2)], 'code')).toBeUndefined();
    expect(preferredProcedure([procedure('a#1', 10, 7)], 'code')).toBeUndefined();
    expect(preferredProcedure([procedure('a#1', 3, 3)], 'writing')).toBeUndefined();
    const good = procedure('a#1', 5, 4);
    expect(preferredProcedure([procedure('b#1', 2, 2), good], 'code')).toBe(good);
  });

  it('describes a procedure and tells whether a team follows it', () => {
    const record = procedure('planner>coder#abc', 10, 9, 0.04);
    expect(procedureAgents(record)).toEqual(['planner', 'coder']);
    expect(procedureEvidence(record)).toBe(
      'sequential planner>coder: passed 9 of 10 similar code tasks at $0.0040 mean',
    );
    const team = { topology: 'sequential', agents: [{ name: 'planner' }, { name: 'coder' }] };
    expect(followsProcedure(team, record)).toBe(true);
    expect(followsProcedure({ ...team, topology: 'dag' }, record)).toBe(false);
    expect(followsProcedure({ ...team, agents: [...team.agents].reverse() }, record)).toBe(false);
  });
});
