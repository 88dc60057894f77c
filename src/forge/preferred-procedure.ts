import type { ProcedureRecord } from '../store/procedure-store.js';

/** Runs a procedure needs before Forge prefers it: fewer say little about how it does. */
export const PREFERRED_MIN_RUNS = 3;

/** Share of passed runs a procedure needs before Forge prefers it. */
export const PREFERRED_MIN_PASS_RATE = 0.8;

/** The agents' names of a procedure's team, in order (its team signature without the hash). */
export function procedureAgents(procedure: ProcedureRecord): string[] {
  return (procedure.teamSignature.split('#')[0] ?? '').split('>').filter((name) => name.length > 0);
}

/**
 * A task kind's procedures that passed at least once, best first. Ranked by the pass rate with one
 * pass and one failure added (so 9 of 10 beats 1 of 1), then by runs, then by mean cost; ties by
 * signature, so the order is the same on every call.
 */
export function rankProcedures(procedures: readonly ProcedureRecord[], taskKind: string): ProcedureRecord[] {
  const smoothed = (p: ProcedureRecord) => (p.passes + 1) / (p.count + 2);
  return procedures
    .filter((p) => p.taskKind === taskKind && p.count > 0 && p.passes > 0)
    .sort(
      (a, b) =>
        smoothed(b) - smoothed(a) ||
        b.count - a.count ||
        meanCost(a) - meanCost(b) ||
        compareText(a.topology, b.topology) ||
        compareText(a.teamSignature, b.teamSignature) ||
        compareText(a.models, b.models),
    );
}

/**
 * The procedure Forge prefers for a task kind: the best ranked one with at least
 * PREFERRED_MIN_RUNS runs and a pass rate of at least PREFERRED_MIN_PASS_RATE, if any.
 */
export function preferredProcedure(
  procedures: readonly ProcedureRecord[],
  taskKind: string,
): ProcedureRecord | undefined {
  return rankProcedures(procedures, taskKind).find(
    (p) => p.count >= PREFERRED_MIN_RUNS && p.passes / p.count >= PREFERRED_MIN_PASS_RATE,
  );
}

/** A procedure's record in a phrase, e.g. "sequential planner>coder: passed 9 of 10 similar code tasks at $0.0040 mean". */
export function procedureEvidence(procedure: ProcedureRecord): string {
  return (
    `${procedure.topology} ${procedureAgents(procedure).join('>')}: passed ${procedure.passes} of ` +
    `${procedure.count} similar ${procedure.taskKind} tasks at $${meanCost(procedure).toFixed(4)} mean`
  );
}

/** Whether a team has a procedure's shape: the same topology and the same agents in the same order. */
export function followsProcedure(
  team: { topology: string; agents: readonly { name: string }[] },
  procedure: ProcedureRecord,
): boolean {
  return (
    team.topology === procedure.topology &&
    team.agents.map((agent) => agent.name).join('>') === procedureAgents(procedure).join('>')
  );
}

// Code-unit order, not localeCompare: the ranking must not depend on the machine's locale.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function meanCost(procedure: ProcedureRecord): number {
  return procedure.count > 0 ? procedure.totalCostUsd / procedure.count : 0;
}
