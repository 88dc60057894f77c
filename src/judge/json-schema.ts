import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import type { Ajv2019 } from 'ajv/dist/2019.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';
import { compileLinearRegex } from '../security/index.js';

/** A compiled JSON Schema: `problems(data)` lists why `data` does not validate, empty when it does. */
export interface CompiledJsonSchema {
  problems(data: unknown): string[];
}

// Rubric files are reused for every task, so one compilation per distinct schema text is kept. The cap
// only bounds memory when schemas are generated; rubrics rarely hold more than a handful.
const CACHE_LIMIT = 200;
const cache = new Map<string, ValidateFunction>();

// One instance per draft, made on first use. strict: false so annotations ajv does not know (x-*, `example`)
// are ignored instead of refused; formats are not validated because that needs a second package.
// `pattern`, `patternProperties` and `propertyNames` run on the linear-time engine regex checks use:
// a schema comes with a request or a rubric, and a backtracking `^(a+)+$` would stall the server.
const linearRegExp = Object.assign(
  (pattern: string, flags: string) => {
    const compiled = compileLinearRegex(pattern, flags);
    return { test: (text: string) => compiled.first(text) !== null };
  },
  { code: 'linearRegExp' },
);
const options = {
  allErrors: true,
  strict: false,
  validateFormats: false,
  logger: false,
  code: { regExp: linearRegExp },
} as const;
let draft07: Ajv | undefined;
let draft2019: Ajv2019 | undefined;
let draft2020: Ajv2020 | undefined;

// ajv (~300 KB of code) is loaded when the first schema is compiled, not at start: most runs never
// check JSON. With require, because compiling is synchronous (a rubric's schema is checked while zod
// validates the rubric).
const load = createRequire(import.meta.url);

/** The validator for the draft a schema declares with `$schema`; draft-07 when it declares none. */
function validatorFor(schema: Record<string, unknown>): Ajv | Ajv2019 | Ajv2020 {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared.includes('2020-12')) {
    return (draft2020 ??= new (load('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020(
      options,
    ));
  }
  if (declared.includes('2019-09')) {
    return (draft2019 ??= new (load('ajv/dist/2019.js') as typeof import('ajv/dist/2019.js')).Ajv2019(
      options,
    ));
  }
  return (draft07 ??= new (load('ajv') as typeof import('ajv')).Ajv(options));
}

/** Compiles a JSON Schema; an invalid schema throws `judge.invalid_json_schema` naming ajv's reason. */
export function compileJsonSchema(schema: Record<string, unknown>): CompiledJsonSchema {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (validate === undefined) {
    try {
      validate = validatorFor(schema).compile(schema);
    } catch (error) {
      throw new AgentdError({
        code: 'judge.invalid_json_schema',
        message: `not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, validate);
  }
  const compiled = validate;
  return {
    problems(data) {
      if (compiled(data)) return [];
      return (compiled.errors ?? []).map((error) => {
        const where = error.instancePath === '' ? '(root)' : error.instancePath;
        return `${where} ${error.message ?? 'is invalid'}`;
      });
    },
  };
}

// A fence anywhere in the text, because models often put a sentence before the JSON even when told not to.
const FENCE = /```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)\r?\n?```/;

/**
 * The JSON value in a model's output: the whole output when it is JSON, else the first ```json (or bare
 * ```) fenced block. `error` says why there is none.
 */
export function parseJsonOutput(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const whole = tryParse(text.trim());
  if (whole.ok) return whole;
  const fenced = FENCE.exec(text);
  if (fenced === null) return { ok: false, error: `output is not JSON (${whole.error})` };
  const inner = tryParse((fenced[1] ?? '').trim());
  return inner.ok ? inner : { ok: false, error: `the fenced block is not JSON (${inner.error})` };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
