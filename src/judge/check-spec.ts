import { z } from 'zod';
import { compileLinearRegex } from '../security/index.js';
import { compileJsonSchema } from './json-schema.js';

/** The longest a command check may run: a test suite, not a service. */
export const MAX_COMMAND_TIMEOUT_MS = 60 * 60 * 1000;

/** The time a command check gets when its spec names none. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

// Every check may carry a name, so a verdict can say which of two regex checks failed.
const named = { name: z.string().min(1).optional() };

/** Whether `pattern` compiles with `flags`: checked when the rubric loads, not when the check first runs. */
function compiles(pattern: string, flags: string | undefined): string | undefined {
  try {
    compileLinearRegex(pattern, flags);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The output is JSON (bare or in a ```json fence) that validates against a JSON Schema. */
export const JsonSchemaCheckSchema = z
  .strictObject({
    type: z.literal('json-schema'),
    ...named,
    /** A JSON Schema (draft-07, or 2019-09 / 2020-12 when its `$schema` says so). `format` is not checked. */
    schema: z.record(z.string(), z.unknown()),
  })
  .superRefine((spec, ctx) => {
    // Compiled here so a broken schema is a rubric error at load time, not a failed check on every task.
    try {
      compileJsonSchema(spec.schema);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message, path: ['schema'] });
    }
  });

/**
 * The output matches (or, with `match: false`, does not match) a regular expression, in RE2 syntax
 * on a linear-time engine (a pattern comes from a request or a rubric: it must not be able to stall
 * the server; no backreferences or lookaround).
 */
export const RegexCheckSchema = z
  .strictObject({
    type: z.literal('regex'),
    ...named,
    pattern: z.string().min(1),
    flags: z
      .string()
      .regex(/^[dgimsu]*$/, { message: 'flags may only be d, g, i, m, s, u' })
      .optional(),
    match: z.boolean().default(true),
  })
  .superRefine((spec, ctx) => {
    const problem = compiles(spec.pattern, spec.flags);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['pattern'] });
  });

/** The output contains a text. Case-sensitive unless `caseSensitive: false`. */
export const ContainsCheckSchema = z.strictObject({
  type: z.literal('contains'),
  ...named,
  text: z.string().min(1),
  caseSensitive: z.boolean().default(true),
});

/** The output does not contain a text. Case-sensitive unless `caseSensitive: false`. */
export const ExcludesCheckSchema = z.strictObject({
  type: z.literal('excludes'),
  ...named,
  text: z.string().min(1),
  caseSensitive: z.boolean().default(true),
});

/** The output's length, in characters (code points) or words, is within bounds (of the trimmed text). */
export const LengthCheckSchema = z
  .strictObject({
    type: z.literal('length'),
    ...named,
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(0).optional(),
    unit: z.enum(['chars', 'words']).default('chars'),
  })
  .refine((spec) => spec.min !== undefined || spec.max !== undefined, {
    message: 'give min, max or both',
  })
  .refine((spec) => spec.min === undefined || spec.max === undefined || spec.min <= spec.max, {
    message: 'min must not be more than max',
    path: ['min'],
  });

/** Files (or folders) that must exist in the workspace, as workspace-relative paths. */
export const FilesCheckSchema = z.strictObject({
  type: z.literal('files'),
  ...named,
  paths: z.array(z.string().min(1)).min(1),
});

/**
 * A program run in the workspace (argv, no shell) that must exit 0 within the timeout. It runs only
 * when the runner's `allowedCommands` allows it.
 */
export const CommandCheckSchema = z.strictObject({
  type: z.literal('command'),
  ...named,
  argv: z.array(z.string().min(1)).min(1),
  /** A workspace-relative folder to run in; the workspace itself by default. */
  cwd: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(1).max(MAX_COMMAND_TIMEOUT_MS).default(DEFAULT_COMMAND_TIMEOUT_MS),
});

/** One deterministic check, chosen by `type`. */
export const CheckSpecSchema = z.discriminatedUnion('type', [
  JsonSchemaCheckSchema,
  RegexCheckSchema,
  ContainsCheckSchema,
  ExcludesCheckSchema,
  LengthCheckSchema,
  FilesCheckSchema,
  CommandCheckSchema,
]);

/** A check as validated (defaults applied). */
export type CheckSpec = z.infer<typeof CheckSpecSchema>;
/** A check as written in a rubric file (defaults not yet applied). */
export type CheckSpecInput = z.input<typeof CheckSpecSchema>;
/** The kinds of check. */
export type CheckType = CheckSpec['type'];

/** What one check found. `reason` says why it passed or failed, in words a model can act on. */
export interface CheckResult {
  type: CheckType;
  name: string;
  pass: boolean;
  reason: string;
  durationMs: number;
}
