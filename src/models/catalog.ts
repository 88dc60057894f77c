import { z } from 'zod';
import { validate } from '../core/validate.js';
import './model-error-codes.js';
import data from './catalog.json' with { type: 'json' };
import type { ModelCapabilities, ModelInfo } from './language-model.js';
import { parseModelId } from './model-id.js';
import { QualityPriorsSchema } from './models-config.js';
import type { CatalogEntryConfig } from './models-config.js';

// catalog.json holds list prices (USD per 1M tokens) as of 2025, documented context windows, and
// rough quality priors per task kind (0–1; the router's starting point, learned over; see
// docs/router.md).
// Prices change; `models.catalog` in config overrides any field of an entry and adds new ids.

/** One shipped catalog entry, as stored in catalog.json. */
export const CatalogEntrySchema = z.strictObject({
  id: z.string().regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' }),
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
  contextWindow: z.number().int().positive(),
  capabilities: z.strictObject({ tools: z.boolean(), json: z.boolean(), vision: z.boolean() }),
  quality: QualityPriorsSchema.optional(),
});

/** A shipped catalog entry. */
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

const CatalogDataSchema = z.array(CatalogEntrySchema).superRefine((entries, ctx) => {
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    if (seen.has(entry.id))
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id ${entry.id}` });
    seen.add(entry.id);
  });
});

/** The provider name whose models are dry runs. */
const SIMULATED_PROVIDER = 'simulated';

/**
 * What is assumed of a model the catalog does not know (e.g. a local Ollama model): free, since
 * its price is unknown and local models cost nothing per token; a conservative context window;
 * tools and JSON output assumed, because most current chat models served over the OpenAI protocol
 * support both and a router that excluded unknown models from agent work would leave a local-only
 * setup with nothing to run; vision not assumed, because images sent to a text-only model fail or
 * are silently ignored.
 */
export const UNKNOWN_MODEL_DEFAULTS: Readonly<Omit<ModelInfo, 'id' | 'provider' | 'model'>> = Object.freeze({
  inputPerMTok: 0,
  outputPerMTok: 0,
  contextWindow: 8192,
  capabilities: Object.freeze({ tools: true, json: true, vision: false }),
  known: false,
  simulated: false,
});

/**
 * Any simulated model: free, unlimited for practical purposes, and claiming every capability so
 * that routing never rules out the dry run (it accepts tools and images; it just never calls tools).
 */
const SIMULATED_DEFAULTS: Readonly<Omit<ModelInfo, 'id' | 'provider' | 'model' | 'known'>> = Object.freeze({
  inputPerMTok: 0,
  outputPerMTok: 0,
  contextWindow: 1_000_000,
  capabilities: Object.freeze({ tools: true, json: true, vision: true }),
  simulated: true,
});

/** Prices, context windows and capabilities of models, by `provider/model` id. */
export interface ModelCatalog {
  /** Every known model: shipped entries with config overrides applied, then ids added by config. */
  list(): ModelInfo[];
  /** The entry for `id`, or undefined when the catalog does not know it. */
  get(id: string): ModelInfo | undefined;
  /** The entry for `id`, or an assumed `known: false` entry (see {@link UNKNOWN_MODEL_DEFAULTS}). */
  describe(id: string): ModelInfo;
}

/** Options of {@link createModelCatalog}. */
export interface ModelCatalogOptions {
  /** `models.catalog` from config: each overrides fields of a shipped entry or adds a new id. */
  overrides?: readonly CatalogEntryConfig[];
  /** Replaces the shipped entries (tests); default: catalog.json. */
  entries?: readonly CatalogEntry[];
}

/** Validates catalog data (an array of entries with unique ids); throws AgentdError `catalog.invalid`. */
export function parseCatalogData(value: unknown, where = 'models/catalog.json'): CatalogEntry[] {
  return validate(CatalogDataSchema, value, { where, code: 'catalog.invalid', once: true });
}

// The shipped file is validated by its test (catalog.test.ts), not at every start: validating it
// costs ~10 ms of start-up and returns it unchanged (the schema has no defaults or transforms).
const SHIPPED_ENTRIES = data as unknown as readonly CatalogEntry[];

/** The model catalog: the shipped list merged with config overrides, field by field. */
export function createModelCatalog(options: ModelCatalogOptions = {}): ModelCatalog {
  const byId = new Map<string, ModelInfo>();
  for (const entry of options.entries ?? SHIPPED_ENTRIES) byId.set(entry.id, toInfo(entry));
  for (const override of options.overrides ?? []) {
    const base = byId.get(override.id) ?? describeUnknown(override.id);
    byId.set(override.id, applyOverride(base, override));
  }
  return {
    list: () => [...byId.values()],
    get: (id) => byId.get(id),
    describe: (id) => byId.get(id) ?? describeUnknown(id),
  };
}

function toInfo(entry: CatalogEntry): ModelInfo {
  const { provider, model } = parseModelId(entry.id);
  return freeze({
    id: entry.id,
    provider,
    model,
    inputPerMTok: entry.inputPerMTok,
    outputPerMTok: entry.outputPerMTok,
    contextWindow: entry.contextWindow,
    capabilities: { ...entry.capabilities },
    ...(entry.quality ? { quality: { ...entry.quality } } : {}),
    known: true,
    simulated: provider === SIMULATED_PROVIDER,
  });
}

/** An entry named in config is known: the user has told agentd about it. */
function applyOverride(base: ModelInfo, override: CatalogEntryConfig): ModelInfo {
  const capabilities: ModelCapabilities = { ...base.capabilities };
  for (const key of ['tools', 'json', 'vision'] as const) {
    const value = override.capabilities?.[key];
    if (value !== undefined) capabilities[key] = value;
  }
  return freeze({
    ...base,
    inputPerMTok: override.inputPerMTok ?? base.inputPerMTok,
    outputPerMTok: override.outputPerMTok ?? base.outputPerMTok,
    contextWindow: override.contextWindow ?? base.contextWindow,
    capabilities,
    ...(override.quality || base.quality ? { quality: { ...base.quality, ...override.quality } } : {}),
    ...(override.timeouts || base.timeouts ? { timeouts: { ...base.timeouts, ...override.timeouts } } : {}),
    known: true,
  });
}

function describeUnknown(id: string): ModelInfo {
  const { provider, model } = parseModelId(id);
  const defaults =
    provider === SIMULATED_PROVIDER ? { ...SIMULATED_DEFAULTS, known: false } : UNKNOWN_MODEL_DEFAULTS;
  return freeze({ ...defaults, id, provider, model, capabilities: { ...defaults.capabilities } });
}

// Entries are shared between callers, so they are frozen rather than copied on every read.
function freeze(info: ModelInfo): ModelInfo {
  Object.freeze(info.capabilities);
  if (info.quality) Object.freeze(info.quality);
  if (info.timeouts) Object.freeze(info.timeouts);
  return Object.freeze(info);
}
