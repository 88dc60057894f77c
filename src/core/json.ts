/** A value that survives JSON.stringify/parse unchanged: what journaled step outputs must be. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON text with object keys sorted, so equal values always serialise the same way (for hashing). */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}
