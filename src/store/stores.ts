import type { ApiKeyStore } from './api-key-store.js';
import type { AuditStore } from './audit-store.js';
import type { JournalStore } from './journal-store.js';
import type { LedgerStore } from './ledger-store.js';
import type { McpPinStore } from './mcp-pin-store.js';
import type { MemoryStore } from './memory-store.js';
import type { ProcedureStore } from './procedure-store.js';
import type { ReviewStore } from './review-store.js';
import type { SecretStore } from './secret-store.js';
import type { RouterStore } from './router-store.js';
import type { TaskStore } from './task-store.js';
import type { TraceStore } from './trace-store.js';
import type { VerdictStore } from './verdict-store.js';

/** Every store a runtime needs, opened together on one database. */
export interface Stores {
  tasks: TaskStore;
  journal: JournalStore;
  traces: TraceStore;
  ledger: LedgerStore;
  reviews: ReviewStore;
  router: RouterStore;
  memories: MemoryStore;
  procedures: ProcedureStore;
  audit: AuditStore;
  verdicts: VerdictStore;
  apiKeys: ApiKeyStore;
  /** Encrypted secrets (the vault); values never in clear. */
  secrets: SecretStore;
  /** Approved MCP tool definitions. */
  mcpPins: McpPinStore;
  /** Closes the underlying database. */
  close(): Promise<void>;
}
