export {
  CheckDesignSchema,
  DesignedAgentSchema,
  MAX_DESIGN_AGENTS,
  RubricDesignSchema,
  TeamDesignSchema,
  toTeamSpec,
} from './team-design.js';
export type { CheckDesign, DesignedAgent, RubricDesign, TeamDesign } from './team-design.js';
export { validateDesign } from './validate-design.js';
export type { DesignCheck, DesignRules } from './validate-design.js';
export { heuristicDesign, LONG_TASK_WORDS } from './heuristic-design.js';
export type { HeuristicDesignInput } from './heuristic-design.js';
export {
  followsProcedure,
  PREFERRED_MIN_PASS_RATE,
  PREFERRED_MIN_RUNS,
  preferredProcedure,
  procedureAgents,
  procedureEvidence,
  rankProcedures,
} from './preferred-procedure.js';
export {
  DEFAULT_CHECK_GUIDE,
  describeTopology,
  FEEDBACK_HEADER,
  FORGE_INSTRUCTIONS,
  forgePrompt,
  MAX_PROCEDURES_SHOWN,
  REPAIR_HEADER,
  repairPrompt,
} from './forge-prompt.js';
export type { ForgePromptInput, ForgeTool } from './forge-prompt.js';
export { DEFAULT_FORGE_TEAM_NAME, designTeam, MAX_DESIGN_ATTEMPTS } from './design-team.js';
export type {
  AskForDesign,
  DesignRequest,
  DesignSource,
  DesignTeamInput,
  DesignTeamResult,
} from './design-team.js';
