export { MemoryConfigSchema } from './memory-config.js';
export type { MemoryConfig } from './memory-config.js';
export { searchMemories } from './search-memories.js';
export type { MemorySearch, ScoreComponents, ScoredMemory, SearchMode } from './search-memories.js';
export { junkReason } from './junk-filter.js';
export { rememberFact } from './remember-fact.js';
export type { FactInput, FactThresholds, RememberOutcome } from './remember-fact.js';
export { createMemoryService, RECALL_HEADER } from './memory-service.js';
export type { Episode, MemoryService, MemoryServiceOptions } from './memory-service.js';
