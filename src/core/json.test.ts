import { describe, expect, expectTypeOf, it } from 'vitest';
import { canonicalJson, fromJson, parseJson, toJson } from './json.js';
import type { Json, JsonCompatible } from './json.js';

interface Vote {
  judge: string;
  score: number | null;
  pass: boolean;
  note?: string;
  tags: readonly string[];
}

interface Report {
  votes: Vote[];
  consensus: { score: number } | null;
  details?: Json;
  outcome: { ok: true; value: string } | { ok: false; error: { code: string; message: string } };
}

const report: Report = {
  votes: [{ judge: 'a', score: 0.5, pass: true, tags: ['x'] }],
  consensus: null,
  outcome: { ok: false, error: { code: 'x.y', message: 'no' } },
};

describe('JsonCompatible', () => {
  it('accepts interfaces, unions, optional properties and Json members without casts', () => {
    expectTypeOf(toJson(report)).toEqualTypeOf<Json>();
    expectTypeOf(toJson({ n: 1, s: 'a', b: false, z: null, list: [1, 2] })).toEqualTypeOf<Json>();
    expectTypeOf(toJson([report, report] as const)).toEqualTypeOf<Json>();
    expectTypeOf(toJson({} as Record<string, Vote>)).toEqualTypeOf<Json>();
    expectTypeOf(toJson({} as { readonly a?: string | undefined })).toEqualTypeOf<Json>();
    expectTypeOf(toJson(1)).toEqualTypeOf<Json>();
    expectTypeOf(toJson(null)).toEqualTypeOf<Json>();
    expectTypeOf(toJson({ json: canonicalJson(null) as Json })).toEqualTypeOf<Json>();
    expectTypeOf(fromJson<Report>(toJson(report))).toEqualTypeOf<Report>();
    expectTypeOf<Report>().toExtend<JsonCompatible<Report>>();
  });

  it('rejects what JSON would change or drop', () => {
    // Each line must fail to type-check (a `// @ts-expect-error` that is not needed fails tsc).
    const rejected = () => {
      // @ts-expect-error a function
      toJson(() => 1);
      // @ts-expect-error a function member
      toJson({ run: () => 1 });
      // @ts-expect-error a method (interfaces of services, class instances)
      toJson({} as { name: string; run(): void });
      // @ts-expect-error a class instance with methods
      toJson(new Map<string, number>());
      // @ts-expect-error a Date (serialised as a string, read back as one)
      toJson(new Date());
      // @ts-expect-error a Date member
      toJson({} as { at: Date });
      // @ts-expect-error undefined in a required property (the key disappears)
      toJson({} as { a: string | undefined });
      // @ts-expect-error undefined in an array (becomes null)
      toJson([1, undefined]);
      // @ts-expect-error undefined as the whole value
      toJson(undefined);
      // @ts-expect-error bigint (JSON.stringify throws)
      toJson({ n: 1n });
      // @ts-expect-error symbol
      toJson({ s: Symbol('s') });
      // @ts-expect-error unknown (anything at all)
      toJson({} as { data: unknown });
      // @ts-expect-error a fromJson target that is not JSON
      fromJson<{ at: Date }>(null);
    };
    expect(rejected).toBeTypeOf('function');
  });

  it('passes values through unchanged', () => {
    const stored = toJson(report);
    expect(stored).toBe(report);
    expect(fromJson<Report>(parseJson(JSON.stringify(stored)))).toEqual(report);
  });
});
