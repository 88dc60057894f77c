import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

type JsonSchema = Record<string, unknown>;

/** Strings a hostile client might send: paths, template and SQL syntax, control and odd characters. */
const NASTY_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '/etc/shadow',
  '%2e%2e%2f',
  '\u0000',
  'a\nb',
  "'; DROP TABLE tasks; --",
  '${process.env.PATH}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  '\u202e',
  '😀'.repeat(3),
  'x'.repeat(5000),
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
];

/** Any JSON value, a nasty string, or nothing — for the slot a schema describes, to confuse its type. */
export function hostileJson(): Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(...NASTY_STRINGS, -1, 0, 1e308, Number.MAX_SAFE_INTEGER + 2, true, null, [], {}),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

/**
 * Values shaped by a JSON Schema (the subset zod's `toJSONSchema` emits: types, enum, const,
 * anyOf/oneOf, properties/required, items, $ref to $defs, bounds), with a share of hostile values in
 * every slot so that both the accepted paths and the refusals are exercised. Hand-written: fast-check
 * has no JSON Schema support, and the maintained converters target zod 3 or generate only valid data.
 */
export function jsonSchemaArbitrary(schema: JsonSchema, options: { mode: ShapingMode }): Arbitrary<unknown> {
  return shapedBy(schema, { root: schema, hostile: options.mode === 'hostile', mode: options.mode }, 0);
}

/**
 * `minimal`: only required fields, each fitting its schema; `valid`: optional fields too, now and
 * then; `hostile`: any slot may hold a hostile value instead.
 */
export type ShapingMode = 'minimal' | 'valid' | 'hostile';

interface Shaping {
  root: JsonSchema;
  mode: ShapingMode;
  /** Whether any slot may hold a hostile value instead (one in five), or every value fits its schema. */
  hostile: boolean;
}

function slot(schema: JsonSchema, shaping: Shaping, depth: number): Arbitrary<unknown> {
  const shaped = shapedBy(schema, shaping, depth);
  return shaping.hostile
    ? fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: hostileJson() })
    : shaped;
}

/** A string meeting the schema's format, pattern and length, as far as fast-check can make one. */
function validString(schema: JsonSchema): Arbitrary<string> {
  const format = schema['format'];
  if (format === 'date-time' || format === 'date') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => (format === 'date' ? d.toISOString().slice(0, 10) : d.toISOString()));
  }
  const minLength = Math.min(Number(schema['minLength'] ?? 1), 40);
  const maxLength = Math.max(minLength, Math.min(Number(schema['maxLength'] ?? 40), 40));
  if (typeof schema['pattern'] === 'string') {
    try {
      return fc
        .stringMatching(new RegExp(schema['pattern'], 'u'))
        .filter((text) => text.length >= minLength && text.length <= Number(schema['maxLength'] ?? Infinity));
    } catch {
      // A pattern JavaScript cannot compile: plain strings, which the server will mostly refuse.
    }
  }
  return fc.string({ minLength, maxLength });
}

function shapedBy(schema: JsonSchema, shaping: Shaping, depth: number): Arbitrary<unknown> {
  const { root } = shaping;
  if (depth > 4) return hostileJson();
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const name = ref.replace(/^#\/\$defs\//, '');
    const target = (root['$defs'] as Record<string, JsonSchema> | undefined)?.[name];
    return target ? shapedBy(target, shaping, depth + 1) : hostileJson();
  }
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  const choices = (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
  if (Array.isArray(choices) && choices.length > 0) {
    return fc.oneof(...choices.map((choice) => shapedBy(choice, shaping, depth + 1)));
  }
  if (Array.isArray(schema['allOf']) && schema['allOf'].length > 0) {
    return shapedBy(schema['allOf'][0] as JsonSchema, shaping, depth + 1);
  }
  const type = Array.isArray(schema['type']) ? (schema['type'][0] as string) : schema['type'];
  switch (type) {
    case 'string':
      return shaping.hostile
        ? fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...NASTY_STRINGS))
        : validString(schema);
    case 'integer':
    case 'number': {
      const bound = (key: string, fallback: number) =>
        typeof schema[key] === 'number' ? (schema[key] as number) : fallback;
      const min = Math.max(bound('minimum', bound('exclusiveMinimum', -1000)), -1e9);
      const max = Math.min(bound('maximum', bound('exclusiveMaximum', 1000)), 1e9);
      const excluded = {
        minExcluded: 'exclusiveMinimum' in schema,
        maxExcluded: 'exclusiveMaximum' in schema,
      };
      return type === 'integer'
        ? fc.integer({
            min: Math.floor(min) + (excluded.minExcluded ? 1 : 0),
            max: Math.ceil(max) - (excluded.maxExcluded ? 1 : 0),
          })
        : fc.double({ min, max, noNaN: true, ...excluded });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (schema['items'] ?? {}) as JsonSchema;
      return fc.array(slot(items, shaping, depth + 1), { maxLength: 3 });
    }
    case 'object': {
      const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema['required'] ?? []) as string[]);
      const fields = Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [name, slot(property, shaping, depth + 1)]),
      );
      const requiredKeys = Object.keys(properties).filter((name) => required.has(name));
      if (shaping.hostile) return fc.record(fields, { requiredKeys });
      if (shaping.mode === 'minimal') {
        return fc.record(Object.fromEntries(Object.entries(fields).filter(([name]) => required.has(name))));
      }
      // Valid requests stay small: each optional field in one of four, so most pass validation.
      const entries = Object.entries(fields).map(([name, value]) =>
        required.has(name)
          ? value.map((v) => [name, v] as const)
          : fc.oneof(
              { weight: 3, arbitrary: fc.constant(undefined) },
              { weight: 1, arbitrary: value.map((v) => [name, v] as const) },
            ),
      );
      return fc
        .tuple(...entries)
        .map((pairs) => Object.fromEntries(pairs.filter((pair) => pair !== undefined)));
    }
    default:
      return hostileJson();
  }
}
