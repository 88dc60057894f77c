import { z } from 'zod';
import type { MemoryRecord } from '../store/memory-store.js';

/** A memory layer. */
export const MemoryLayerSchema = z.enum(['working', 'episodic', 'semantic', 'procedural']);

/** A memory as reported: every field but the vector itself. */
export const MemorySchema = z.object({
  id: z.string(),
  layer: MemoryLayerSchema,
  tenant: z.string(),
  team: z.string().nullable(),
  agent: z.string().nullable(),
  taskId: z.string().nullable(),
  content: z.string(),
  embeddingModel: z.string().nullable(),
  importance: z.number(),
  createdAt: z.number(),
  lastAccessedAt: z.number(),
  accessCount: z.number(),
  validFrom: z.number(),
  validTo: z.number().nullable(),
  supersededBy: z.string().nullable(),
  provenance: z.object({
    taskId: z.string().nullable(),
    step: z.string().nullable(),
    source: z.string().nullable(),
  }),
  tags: z.array(z.string()),
});

/** A memory without its vector (vectors are large and of no use to a reader). */
export function reportedMemory(memory: MemoryRecord): z.input<typeof MemorySchema> {
  const { embedding, ...rest } = memory;
  void embedding;
  return rest;
}

/** The tenant a request is about; the configured `memory.tenant` when absent. */
export const TenantSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty (leave the tenant out for memory.tenant)')
  .max(200)
  .optional()
  .describe(
    'the tenant (default: memory.tenant); a key bound to a tenant may only name its own (another is 403)',
  );

// `2026-01-01`, or `2026-01-01T09:30`, `…T09:30:15`, `…T09:30:15.250` with `Z` or an offset (`+02:00`).
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?$/;

/**
 * An instant as an ISO 8601 date (midnight UTC) or a date-time with a time zone, as epoch ms. A
 * date-time without a zone is refused: whose local time it means would be a guess.
 */
export const IsoTimeSchema = z.string().transform((value, ctx) => {
  const match = ISO_TIME.exec(value);
  const [year, month, day] = (match?.slice(1, 4) ?? []).map(Number) as [number, number, number];
  const ms = match ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN;
  // Date.parse rolls an impossible day over (2026-02-30 is 2 March); refuse it instead.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const realDay =
    match !== null &&
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day;
  if (!realDay || Number.isNaN(ms)) {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: `'${value}' is not an ISO 8601 date (2026-01-01, midnight UTC) or date-time with a time zone (2026-01-01T09:30:00Z, 2026-01-01T09:30+02:00)`,
    });
    return z.NEVER;
  }
  return ms;
});

/** Layers as a list, or comma-separated in a query string (`layer=episodic,semantic`). */
export const LayersSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((layer) => layer.trim()) : value),
  z.array(MemoryLayerSchema).min(1),
);

/** Tags as a list, or comma-separated in a query string. */
export const TagsSchema = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean)
      : value,
  z.array(z.string().min(1).max(100)).max(50),
);
