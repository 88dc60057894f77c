import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sampleFromJsonSchema } from './json-schema-sample.js';

/** Samples the JSON Schema zod derives from `schema` (as the AI SDK sends it), then parses it. */
function roundTrip<T extends z.ZodType>(schema: T): z.infer<T> {
  const value = sampleFromJsonSchema(z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }));
  return schema.parse(value);
}

describe('sampleFromJsonSchema', () => {
  it('produces values valid against zod-derived schemas', () => {
    const schema = z.object({
      title: z.string().min(30),
      code: z.string().max(4),
      kind: z.enum(['bug', 'feature']),
      score: z.number().min(0).max(1),
      count: z.number().int().positive(),
      negative: z.number().lt(0),
      ratio: z.number().gt(2).lt(3),
      stepped: z.number().int().min(7).multipleOf(5),
      ok: z.boolean(),
      tags: z.array(z.string()).min(3),
      pair: z.tuple([z.string(), z.number()]),
      note: z.string().nullable(),
      maybe: z.string().optional(),
      literal: z.literal('fixed'),
      choice: z.union([z.number(), z.string()]),
      email: z.email(),
      when: z.iso.datetime(),
      id: z.uuid(),
      link: z.url(),
      nested: z.object({ level: z.object({ deep: z.array(z.object({ name: z.string() })).nonempty() }) }),
      record: z.record(z.string(), z.number()),
      withDefault: z.string().default('from default'),
    });
    const value = roundTrip(schema);
    expect(value.kind).toBe('bug');
    expect(value.score).toBe(0.5);
    expect(value.tags).toHaveLength(3);
    expect(value.title.startsWith('[simulated]')).toBe(true);
    expect(value.literal).toBe('fixed');
    expect(value.withDefault).toBe('from default');
    expect(value.nested.level.deep[0]?.name).toContain('[simulated]');
  });

  it('uses examples, const, type lists and the first anyOf/oneOf branch', () => {
    expect(sampleFromJsonSchema({ type: 'string', examples: ['an example'] })).toBe('an example');
    expect(sampleFromJsonSchema({ const: 42 })).toBe(42);
    expect(sampleFromJsonSchema({ type: ['null', 'integer'], minimum: 3 })).toBe(3);
    expect(sampleFromJsonSchema({ oneOf: [{ type: 'boolean' }, { type: 'string' }] })).toBe(true);
    expect(sampleFromJsonSchema({ anyOf: [{ type: 'null' }, { type: 'number', maximum: -2 }] })).toBe(-2);
    expect(sampleFromJsonSchema({ type: 'string', nullable: true, enum: ['a', 'b'] })).toBe('a');
  });

  it('merges allOf parts and follows $ref, stopping recursive schemas', () => {
    const tree = {
      $ref: '#/definitions/node',
      definitions: {
        node: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/definitions/node' } },
          },
          required: ['name', 'children'],
        },
      },
    };
    let node = sampleFromJsonSchema(tree) as { name: string; children: unknown[] };
    let depth = 0;
    while (node.children.length > 0) {
      node = node.children[0] as typeof node;
      depth++;
    }
    expect(depth).toBeGreaterThan(0);
    expect(depth).toBeLessThan(10);
    expect(
      sampleFromJsonSchema({
        allOf: [
          { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] },
          { properties: { b: { type: 'boolean' } }, required: ['b'] },
        ],
      }),
    ).toEqual({ a: 0, b: true });
  });

  it('honours maxItems and draft-4 boolean exclusive bounds', () => {
    expect(sampleFromJsonSchema({ type: 'array', items: { type: 'integer' }, maxItems: 0 })).toEqual([]);
    expect(sampleFromJsonSchema({ type: 'integer', minimum: 0, exclusiveMinimum: true })).toBe(1);
  });

  it('is deterministic', () => {
    const schema = z.toJSONSchema(z.object({ a: z.string(), b: z.array(z.number()) }));
    expect(sampleFromJsonSchema(schema)).toEqual(sampleFromJsonSchema(schema));
  });
});
