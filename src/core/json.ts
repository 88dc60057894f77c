/** A value that survives JSON.stringify/parse unchanged: what journaled step outputs must be. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type JsonPrimitive = null | boolean | number | string;

/** One member of a JSON-compatible value: JSON as it is, objects and arrays member by member. */
type JsonMember<V> = V extends Json
  ? V
  : V extends (...args: never[]) => unknown
    ? never
    : V extends object
      ? { [K in keyof V]: JsonMember<V[K]> }
      : never;

/**
 * What `T` must be to survive JSON.stringify/parse unchanged, as a constraint:
 * `<T extends JsonCompatible<T>>`. Unlike {@link Json} it accepts interfaces (which are never
 * assignable to an index signature) whose members are JSON-compatible; it rejects functions and
 * methods (so Dates, Maps and class instances with methods), `undefined` in required properties
 * and arrays, bigint, symbol and `unknown`. Optional properties may be left out. A mapped type
 * (not a conditional one) so that it can constrain `T` itself.
 */
export type JsonCompatible<T> = { [K in keyof T]: JsonMember<T[K]> } & (JsonPrimitive | object);

/**
 * Rejects a function given as the whole value, which {@link JsonCompatible} cannot (a constraint
 * may not branch on `T` itself): use it on the parameter, `value: T & NotFunction<T>`.
 */
export type NotFunction<T> = T extends (...args: never[]) => unknown ? never : unknown;

/** A JSON-compatible value where a {@link Json} is stored (a store field, a task's details). */
export function toJson<T extends JsonCompatible<T>>(value: T & NotFunction<T>): Json {
  return value as Json;
}

/**
 * A stored JSON value read back as the type it was written as (a journaled step output, a task's
 * result): trusted, not validated, so only for values agentd wrote itself with that type.
 */
export function fromJson<T extends JsonCompatible<T>>(value: Json): T {
  return value as T;
}

/** Parses JSON text: what JSON.parse returns, typed as what it is. */
export function parseJson(text: string): Json {
  const value: Json = JSON.parse(text);
  return value;
}

/** JSON text with object keys sorted, so equal values always serialise the same way (for hashing). */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}
