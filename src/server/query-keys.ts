import { z } from 'zod';
import type { HttpBinding } from '../operations/index.js';

/**
 * The input fields a route takes from the query string: a GET's or DELETE's whole input (as far as
 * its schema is an object whose keys can be read), a POST's declared `query` fields. Any other query
 * parameter is dropped before validation: a cache buster (`?_=1712`) must not make a strict input
 * refuse the request, while unknown body fields are still refused. `undefined`: keep them all.
 */
export function queryKeysOf(http: HttpBinding, input: z.ZodType): ReadonlySet<string> | undefined {
  if (http.method === 'POST') return new Set(http.query ?? []);
  const keys = objectKeys(input);
  return keys === undefined ? undefined : new Set(keys);
}

function objectKeys(schema: z.ZodType): string[] | undefined {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return objectKeys(schema.in as z.ZodType);
  return undefined;
}
