// The task pipeline (DESIGN.md §1): the team workflow every task runs, the quality loop around it,
// the task's memory, judge calibration and the system agents. Composed from the domains; it knows
// no adapter (no store implementation, no provider): runtime/ wires those in.
export { calibrateJudges } from './calibrate-judges.js';
export type { CalibrationRequest } from './calibrate-judges.js';
export { checkEscalationAnswer, loadRubric, QUALITY_ESCALATION, runQualityLoop } from './quality-loop.js';
export type { QualityLoopDependencies, QualityLoopInput, QualityOutcome } from './quality-loop.js';
export { createRuntimeMemory } from './runtime-memory.js';
export type { Caller, RuntimeMemory } from './runtime-memory.js';
export { askSystemAgent } from './system-agents.js';
export type { SystemCallScope } from './system-agents.js';
export { TaskInputSchema } from './task-input.js';
export type { TaskInput } from './task-input.js';
export { createTaskMemory } from './task-memory.js';
export type { TaskMemory, TaskMemoryContext, TaskMemoryDependencies } from './task-memory.js';
export { createTeamWorkflow } from './team-workflow.js';
export type { TeamWorkflowDependencies } from './team-workflow.js';
