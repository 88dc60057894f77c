import { z } from 'zod';
import type { Json } from '../core/json.js';
import { topologies } from '../topology/index.js';
import type { Topology } from '../topology/index.js';
import { defineOperation } from './define-operation.js';

const TopologyOptionSchema = z.object({
  name: z.string(),
  /** The JSON Schema type (`string`, `integer`, `boolean`, `object`, `array`), or `any`. */
  type: z.string(),
  /** The allowed values of an enumerated option. */
  values: z.array(z.string()).optional(),
  required: z.boolean(),
  /** The value used when the team file leaves the option out. */
  default: z.json().optional(),
});

/** The topologies a team can name, with their options and defaults. */
export const listTopologies = defineOperation({
  name: 'topologies.list',
  description:
    'The execution topologies a team can name (`topology:` in a team file), each with a one-line description and its `options` (type, allowed values, default).',
  input: z.strictObject({}),
  output: z.object({
    topologies: z.array(
      z.object({ name: z.string(), description: z.string(), options: z.array(TopologyOptionSchema) }),
    ),
  }),
  permission: 'catalog.read',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/topologies' },
  handler: async () => ({
    topologies: [...topologies.values()].map((t) => ({
      name: t.name,
      description: t.description,
      options: optionsOf(t),
    })),
  }),
});

interface PropertySchema {
  type?: string;
  enum?: Json[];
  default?: Json;
}

/** The options of a topology, read from the JSON Schema of its zod options schema. */
function optionsOf(topology: Topology<unknown>): z.infer<typeof TopologyOptionSchema>[] {
  const schema = z.toJSONSchema(topology.options as z.ZodType, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    type: property.type ?? 'any',
    ...(property.enum ? { values: property.enum.map(String) } : {}),
    required: required.has(name) && property.default === undefined,
    ...(property.default !== undefined ? { default: property.default } : {}),
  }));
}
