export { MemoryConfigSchema } from './memory-config.js';
export type { MemoryConfig } from './memory-config.js';
export { searchMemories, textQuery } from './search-memories.js';
export type { MemorySearch, ScoreComponents, ScoredMemory, SearchMode } from './search-memories.js';
export { junkReason } from './junk-filter.js';
export { DEFAULT_THRESHOLDS, rememberFact } from './remember-fact.js';
export type { FactInput, FactThresholds, RememberOutcome } from './remember-fact.js';
export {
  ExtractedFactsSchema,
  extractFactsByRules,
  FACT_EXTRACTION_INSTRUCTIONS,
  factExtractionPrompt,
} from './extract-facts.js';
export type { ExtractedFact } from './extract-facts.js';
export {
  createWorkingMemory,
  NOTES_SUMMARY_INSTRUCTIONS,
  notesSummaryPrompt,
  WORKING_MEMORY_HEADER,
} from './working-memory.js';
export type { WorkingMemory, WorkingMemoryOptions } from './working-memory.js';
export { describeProcedure, recordProcedure, teamSignature } from './procedural-memory.js';
export type { ProcedureRun } from './procedural-memory.js';
export { createMemoryService, DRY_RUN_TAG, RECALL_HEADER } from './memory-service.js';
export type { Episode } from './episode.js';
export type {
  MemoryEdit,
  MemoryQuery,
  MemoryService,
  MemoryServiceOptions,
  NewMemory,
} from './memory-service.js';
export { LOCAL_ONLY_RECALL_LINE, LOCAL_ONLY_TAG, PII_MASKED_TAG, PII_TAG } from './memory-privacy.js';
