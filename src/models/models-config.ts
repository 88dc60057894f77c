import { z } from 'zod';

/**
 * A secret reference: names the secret rather than holding it, `env:VAR_NAME` (an environment
 * variable) or `secret:NAME` (the vault, `agentd secrets set NAME`).
 */
export const SECRET_REF_PATTERN = /^(env:[A-Za-z_][A-Za-z0-9_]*|secret:[A-Za-z_][A-Za-z0-9_]{0,127})$/;

/** A reference to a secret: `env:VAR_NAME` or `secret:NAME`. Never a literal key. */
export const SecretRefSchema = z.string().regex(SECRET_REF_PATTERN, {
  message: 'must be a reference like env:OPENAI_API_KEY or secret:OPENAI_API_KEY, not a literal key',
});

// Headers that carry credentials by convention (Authorization, X-Api-Key, Cookie, …). Their values
// must be references, so a config file never holds a secret and printing it never leaks one.
const SENSITIVE_HEADER = /auth|key|token|secret|cookie|session/i;

/**
 * A provider's base URL: http or https only (z.url() alone accepts ftp:, javascript:, …) and without
 * a username or password, which would be a literal secret that config printing shows.
 */
export const BaseUrlSchema = z.url().superRefine((value, ctx) => {
  // z.url() has already reported a malformed URL; only well-formed ones are checked further.
  if (!URL.canParse(value)) return;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `must be an http or https URL, not ${url.protocol}` });
  }
  if (url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      message:
        'must not contain a username or password; pass credentials as apiKey or headers with env:VAR references',
    });
  }
});

/**
 * Extra HTTP headers. Each value is a literal or an `env:VAR` reference (resolved at load time);
 * a header whose name looks like a credential must be a reference.
 */
export const ProviderHeadersSchema = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (SENSITIVE_HEADER.test(name) && !SECRET_REF_PATTERN.test(value)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'must be a reference like env:VAR or secret:NAME, not a literal secret',
      });
    }
  }
});

/** The provider implementations agentd ships. */
export const ProviderTypeSchema = z.enum(['openai', 'anthropic', 'google', 'openai-compatible', 'simulated']);

/** One configured provider. `type` defaults to the provider's name when that is a known type. */
export const ProviderConfigSchema = z.strictObject({
  type: ProviderTypeSchema.optional(),
  baseUrl: BaseUrlSchema.optional(),
  apiKey: SecretRefSchema.optional(),
  headers: ProviderHeadersSchema.optional(),
  /**
   * Whether the provider runs on this machine or a network you trust (default: true for a
   * loopback baseUrl). Hybrid topologies send sensitive input only to local providers.
   */
  local: z.boolean().optional(),
});

/**
 * Quality priors of a model per task kind (0–1), `default` for kinds not listed: where the router's
 * learning starts (see docs/router.md).
 */
export const QualityPriorsSchema = z.record(
  z.string().regex(/^([a-z][a-z0-9_-]*|default)$/, { message: 'must be a task kind or default' }),
  z.number().min(0).max(1),
);

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
  /** Quality priors per task kind; merged over the shipped ones kind by kind. */
  quality: QualityPriorsSchema.optional(),
  /** This model's streaming deadlines, ms, over `agents.firstTokenTimeoutMs` and `agents.stallTimeoutMs`. */
  timeouts: z
    .strictObject({
      firstTokenMs: z.number().int().min(10).max(3_600_000).optional(),
      stallMs: z.number().int().min(10).max(3_600_000).optional(),
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
  /**
   * A JSON or YAML file with more catalog entries (same fields as `catalog`), e.g. a price list
   * you maintain; reread when it changes, like the config files.
   */
  catalogFile: z.string().min(1).optional(),
});

/** A provider after config loading: named, typed, with its key resolved. */
export interface ResolvedProviderConfig {
  name: string;
  type: z.infer<typeof ProviderTypeSchema>;
  baseUrl?: string;
  /** The secret value (resolved from its reference). Never printed unmasked. */
  apiKey?: string;
  /** Extra HTTP headers, `env:` and `secret:` references resolved. Secret values: never printed unmasked. */
  headers?: Record<string, string>;
  /**
   * The model id (without the provider prefix) to use when `models.default` is not set and this
   * provider comes first; set for known hosted providers (e.g. groq → llama-3.3-70b-versatile),
   * whose type (openai-compatible) has no default of its own.
   */
  defaultModel?: string;
  /** `local` from the config file, when set. */
  local?: boolean;
  /** How the provider came to be configured. */
  origin: 'config' | 'env' | 'detected' | 'fallback';
  /**
   * Why the provider cannot be built although configured (a `secret:` its key or a header names is
   * not in the vault): it stays listed and every call to it fails with this message.
   */
  unavailable?: string;
}

/** A catalog entry as configured. */
export type CatalogEntryConfig = z.infer<typeof CatalogEntryConfigSchema>;
/** The `models` section as parsed. */
export type ModelsConfig = z.infer<typeof ModelsConfigSchema>;
