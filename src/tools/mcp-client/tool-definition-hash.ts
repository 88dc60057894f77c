import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/json.js';
import type { Json } from '../../core/json.js';

/** What a pin covers of an MCP tool: what the model reads and what it is asked to send. */
export interface PinnedDefinition {
  name: string;
  description?: string | undefined;
  inputSchema: unknown;
}

/** SHA-256 (hex) of the canonical JSON (keys sorted) of a tool's name, description and input schema. */
export function toolDefinitionHash(tool: PinnedDefinition): string {
  const canonical = canonicalJson({
    name: tool.name,
    description: tool.description ?? '',
    // A listed schema is JSON (it arrived as JSON text).
    inputSchema: (tool.inputSchema ?? null) as Json,
  });
  return createHash('sha256').update(canonical).digest('hex');
}
