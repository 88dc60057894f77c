import { z } from 'zod';

/** A reference to a secret: `env:VAR_NAME` (an environment variable). Never a literal key. */
export const SecretRefSchema = z.string().regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, {
  message: 'must be a reference like env:OPENAI_API_KEY, not a literal key',
});

/** The provider implementations agentd ships. */
export const ProviderTypeSchema = z.enum(['openai', 'anthropic', 'google', 'openai-compatible', 'simulated']);

/** One configured provider. `type` defaults to the provider's name when that is a known type. */
export const ProviderConfigSchema = z.strictObject({
  type: ProviderTypeSchema.optional(),
  baseUrl: z.url().optional(),
  apiKey: SecretRefSchema.optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** A catalog entry in config: adds a model or overrides fields of a shipped one. */
export const CatalogEntryConfigSchema = z.strictObject({
  id: z.string().regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' }),
  inputPerMTok: z.number().nonnegative().optional(),
  outputPerMTok: z.number().nonnegative().optional(),
  contextWindow: z.number().int().positive().optional(),
  capabilities: z
    .strictObject({
      tools: z.boolean().optional(),
      json: z.boolean().optional(),
      vision: z.boolean().optional(),
    })
    .optional(),
});

/** The `models` section: the default model and catalog additions/overrides. */
export const ModelsConfigSchema = z.strictObject({
  default: z
    .string()
    .regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' })
    .optional(),
  catalog: z.array(CatalogEntryConfigSchema).default([]),
});

/** A provider after config loading: named, typed, with its key resolved. */
export interface ResolvedProviderConfig {
  name: string;
  type: z.infer<typeof ProviderTypeSchema>;
  baseUrl?: string;
  /** The secret value (resolved from its reference). Never printed unmasked. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** How the provider came to be configured. */
  origin: 'config' | 'env' | 'detected' | 'fallback';
}

/** A catalog entry as configured. */
export type CatalogEntryConfig = z.infer<typeof CatalogEntryConfigSchema>;
/** The `models` section as parsed. */
export type ModelsConfig = z.infer<typeof ModelsConfigSchema>;
