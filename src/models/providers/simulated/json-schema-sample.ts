/** A JSON Schema as received from a caller: any JSON value, read defensively. */
type Schema = Record<string, unknown> | boolean;

/** Optional properties are filled only this deep, so recursive schemas terminate. */
const OPTIONAL_DEPTH = 6;
/** Past this depth even required values stop (a schema that requires infinite nesting). */
const MAX_DEPTH = 32;

const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2025-01-01T00:00:00.000Z',
  date: '2025-01-01',
  time: '00:00:00',
  duration: 'PT1M',
  email: 'simulated@example.com',
  'idn-email': 'simulated@example.com',
  hostname: 'simulated.example.com',
  'idn-hostname': 'simulated.example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/simulated',
  url: 'https://example.com/simulated',
  'uri-reference': 'https://example.com/simulated',
  iri: 'https://example.com/simulated',
  uuid: '00000000-0000-4000-8000-000000000000',
};

/**
 * A deterministic value valid against a JSON Schema (the subset models are asked for: objects,
 * required properties, strings with enum/const/format/length, numbers with bounds, booleans,
 * arrays with minItems, anyOf/oneOf/allOf, `$ref`, nullable). `default` and `examples` are used
 * when present. Strings say `[simulated]` so the value can never pass for a model's answer.
 * `pattern` is not honoured: the generator does not invert regular expressions.
 */
export function sampleFromJsonSchema(
  schema: unknown,
  options: { label?: string; text?: string } = {},
): unknown {
  const root = isSchema(schema) ? schema : true;
  return sample(root, {
    root,
    depth: 0,
    name: options.label ?? 'value',
    ...(options.text !== undefined ? { text: options.text, propertyText: options.text } : {}),
  });
}

interface Context {
  root: Schema;
  depth: number;
  /** The property name (or array item label) the value is for; used in sample strings. */
  name: string;
  /** A plain string here is this text (a top-level answer such as a judge's `decision`). */
  text?: string;
  /** What `text` is for this object's own properties: only the root's, so nested labels stay short. */
  propertyText?: string;
}

function sample(schema: Schema, ctx: Context): unknown {
  if (schema === true) return ctx.text ?? `[simulated] ${ctx.name}`;
  if (schema === false || ctx.depth > MAX_DEPTH) return null;

  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = resolveRef(ctx.root, ref);
    const { $ref: _ignored, ...rest } = schema;
    return sample(target === undefined ? rest : merge(rest, target), { ...ctx, depth: ctx.depth + 1 });
  }
  if ('const' in schema) return schema['const'];
  if (schema['default'] !== undefined) return schema['default'];
  const examples = schema['examples'];
  if (Array.isArray(examples) && examples.length > 0) return examples[0];
  const enumValues = schema['enum'];
  if (Array.isArray(enumValues) && enumValues.length > 0)
    return enumValues.find((v) => v !== null) ?? enumValues[0];

  const allOf = schemaList(schema['allOf']);
  if (allOf.length > 0) {
    const { allOf: _ignored, ...rest } = schema;
    return sample(
      allOf.reduce<Schema>((acc, part) => merge(acc, part), rest),
      ctx,
    );
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schemaList(schema[key]);
    if (options.length > 0) {
      const { [key]: _ignored, ...rest } = schema;
      const chosen = options.find((o) => !isNullSchema(o)) ?? options[0] ?? true;
      return sample(merge(rest, chosen), ctx);
    }
  }

  switch (typeOf(schema)) {
    case 'null':
      return null;
    case 'boolean':
      return true;
    case 'integer':
      return sampleNumber(schema, true);
    case 'number':
      return sampleNumber(schema, false);
    case 'array':
      return sampleArray(schema, ctx);
    case 'object':
      return sampleObject(schema, ctx);
    default:
      return sampleString(schema, ctx);
  }
}

function typeOf(schema: Record<string, unknown>): string {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const types = type.filter((t): t is string => typeof t === 'string');
    return types.find((t) => t !== 'null') ?? types[0] ?? 'string';
  }
  if (isRecord(schema['properties']) || Array.isArray(schema['required'])) return 'object';
  if (schema['items'] !== undefined || schema['prefixItems'] !== undefined) return 'array';
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].some((k) => k in schema)) {
    return 'number';
  }
  return 'string';
}

function sampleObject(schema: Record<string, unknown>, ctx: Context): Record<string, unknown> {
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  const required = new Set(
    Array.isArray(schema['required'])
      ? schema['required'].filter((r): r is string => typeof r === 'string')
      : [],
  );
  const out: Record<string, unknown> = {};
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!required.has(key) && ctx.depth >= OPTIONAL_DEPTH) continue;
    const { text: _text, propertyText, ...rest } = ctx;
    out[key] = sample(isSchema(propertySchema) ? propertySchema : true, {
      ...rest,
      depth: ctx.depth + 1,
      name: key,
      ...(propertyText !== undefined ? { text: propertyText } : {}),
    });
  }
  // Required names without a property schema still have to be present.
  for (const key of required) if (!(key in out)) out[key] = `[simulated] ${key}`;
  return out;
}

function sampleArray(schema: Record<string, unknown>, context: Context): unknown[] {
  const { text: _text, propertyText: _propertyText, ...ctx } = context;
  const depth = ctx.depth + 1;
  const items = schema['items'];
  // Tuples: `prefixItems` (2020-12) or an `items` array (draft 7).
  const prefixItems = schemaList(schema['prefixItems']);
  const parts = prefixItems.length > 0 ? prefixItems : Array.isArray(items) ? schemaList(items) : null;
  if (parts) {
    return parts.map((part, i) => sample(part, { ...ctx, depth, name: `${ctx.name} ${i + 1}` }));
  }
  const minItems = numberOr(schema['minItems'], 0);
  const maxItems = numberOr(schema['maxItems'], Number.POSITIVE_INFINITY);
  // One item by default shows the shape; deep in a recursive schema only what is required.
  const count = Math.min(Math.max(minItems, ctx.depth >= OPTIONAL_DEPTH ? 0 : 1), maxItems);
  const itemSchema = isSchema(items) ? items : true;
  return Array.from({ length: count }, (_, i) =>
    sample(itemSchema, { ...ctx, depth, name: `${ctx.name} ${i + 1}` }),
  );
}

function sampleString(schema: Record<string, unknown>, ctx: Context): string {
  const format = schema['format'];
  let text =
    (typeof format === 'string' ? FORMAT_SAMPLES[format] : undefined) ??
    ctx.text ??
    `[simulated] ${ctx.name}`;
  const minLength = numberOr(schema['minLength'], 0);
  const maxLength = numberOr(schema['maxLength'], Number.POSITIVE_INFINITY);
  while (text.length < minLength) text += ' simulated';
  return text.length > maxLength ? text.slice(0, maxLength) : text;
}

function sampleNumber(schema: Record<string, unknown>, integer: boolean): number {
  const step = integer ? 1 : 0.5;
  let low = typeof schema['minimum'] === 'number' ? schema['minimum'] : undefined;
  let high = typeof schema['maximum'] === 'number' ? schema['maximum'] : undefined;
  // Draft 6+ exclusive bounds are numbers; draft 4 used booleans beside minimum/maximum.
  const exclusiveMin = schema['exclusiveMinimum'];
  const exclusiveMax = schema['exclusiveMaximum'];
  if (typeof exclusiveMin === 'number') low = Math.max(low ?? -Infinity, exclusiveMin + step);
  else if (exclusiveMin === true && low !== undefined) low += step;
  if (typeof exclusiveMax === 'number') high = Math.min(high ?? Infinity, exclusiveMax - step);
  else if (exclusiveMax === true && high !== undefined) high -= step;
  if (integer) {
    if (low !== undefined) low = Math.ceil(low);
    if (high !== undefined) high = Math.floor(high);
  }

  let value: number;
  if (low !== undefined && high !== undefined)
    value = integer ? Math.floor((low + high) / 2) : (low + high) / 2;
  else if (low !== undefined) value = Math.max(low, 0);
  else if (high !== undefined) value = Math.min(high, 0);
  else value = 0;

  const multipleOf = schema['multipleOf'];
  if (typeof multipleOf === 'number' && multipleOf > 0) {
    const up = Math.ceil(value / multipleOf) * multipleOf;
    value = high !== undefined && up > high ? Math.floor(value / multipleOf) * multipleOf : up;
  }
  return value;
}

function merge(base: Schema, extra: Schema): Schema {
  if (base === false || extra === false) return false;
  if (base === true) return extra;
  if (extra === true) return base;
  const properties =
    isRecord(base['properties']) || isRecord(extra['properties'])
      ? {
          ...(isRecord(base['properties']) ? base['properties'] : {}),
          ...(isRecord(extra['properties']) ? extra['properties'] : {}),
        }
      : undefined;
  const required = [
    ...(Array.isArray(base['required']) ? base['required'] : []),
    ...(Array.isArray(extra['required']) ? extra['required'] : []),
  ];
  return {
    ...base,
    ...extra,
    ...(properties ? { properties } : {}),
    ...(required.length > 0 ? { required } : {}),
  };
}

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isRecord(node) ? node[key] : undefined;
  }
  return isSchema(node) ? node : undefined;
}

function isNullSchema(schema: Schema): boolean {
  return typeof schema === 'object' && schema['type'] === 'null';
}

function schemaList(value: unknown): Schema[] {
  return Array.isArray(value) ? value.filter(isSchema) : [];
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'boolean' || isRecord(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
