import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRubricFile, parseRubric } from './load-rubric-file.js';
import { rubricHash, RubricSchema, weightedScore } from './rubric.js';

const YAML = `name: answer-quality
description: Is the answer right and readable?
criteria:
  - name: correctness
    description: The facts are right.
    weight: 3
  - name: clarity
    description: Easy to follow.
threshold: 0.75
examples:
  - input: Capital of France?
    output: Lyon.
    scores: { correctness: 0, clarity: 1 }
    why: Clear but wrong.
checks:
  - type: length
    max: 200
    unit: words
  - type: regex
    pattern: "TODO"
    match: false
requireCalibration: { kappa: 0.6 }
`;

describe('rubric files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-rubric-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a YAML rubric with defaults applied and the sha256 of the file as its version', async () => {
    const file = join(dir, 'rubric.yaml');
    writeFileSync(file, YAML);
    const { rubric, hash } = await loadRubricFile(file);
    expect(rubric.criteria).toEqual([
      { name: 'correctness', description: 'The facts are right.', weight: 3 },
      { name: 'clarity', description: 'Easy to follow.', weight: 1 },
    ]);
    expect(rubric.threshold).toBe(0.75);
    expect(rubric.checks).toEqual([
      { type: 'length', max: 200, unit: 'words' },
      { type: 'regex', pattern: 'TODO', match: false },
    ]);
    expect(rubric.requireCalibration).toEqual({ kappa: 0.6 });
    // sha256 of the exact bytes, computed independently of rubricHash.
    const { createHash } = await import('node:crypto');
    expect(hash).toBe(createHash('sha256').update(YAML).digest('hex'));
  });

  it('loads a JSON rubric by its extension, with threshold and weight defaults', async () => {
    const file = join(dir, 'rubric.json');
    writeFileSync(file, JSON.stringify({ name: 'r', criteria: [{ name: 'c', description: 'd' }] }));
    const { rubric } = await loadRubricFile(file);
    expect(rubric).toEqual({
      name: 'r',
      criteria: [{ name: 'c', description: 'd', weight: 1 }],
      threshold: 0.7,
    });
  });

  it('changes the hash when the content changes, even by one character', async () => {
    const file = join(dir, 'rubric.yaml');
    writeFileSync(file, YAML);
    const before = (await loadRubricFile(file)).hash;
    writeFileSync(file, YAML.replace('0.75', '0.76'));
    const after = (await loadRubricFile(file)).hash;
    expect(after).not.toBe(before);
    expect(after).toBe(rubricHash(YAML.replace('0.75', '0.76')));
  });

  it('names the file and the key path of a bad key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, YAML.replace('weight: 3', 'weight: -1'));
    const error = await loadRubricFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'judge.invalid_rubric', path: 'criteria.0.weight' });
    expect((error as Error).message).toMatch(new RegExp(`^${file}: criteria\\.0\\.weight: `));
  });

  it('names a misspelt key, an unknown check type and an uncompilable regex', () => {
    const where = 'r.yaml';
    expect(() => parseRubric(YAML.replace('threshold:', 'treshold:'), { where })).toThrow(
      /^r\.yaml: .*"treshold"/,
    );
    expect(() => parseRubric(YAML.replace('type: length', 'type: size'), { where })).toThrow(
      /checks\.0\.type: Invalid discriminator/,
    );
    expect(() => parseRubric(YAML.replace('"TODO"', '"(unclosed"'), { where })).toThrow(
      /checks\.1\.pattern: error parsing regexp: missing closing \)/,
    );
    // What a linear-time engine cannot do is refused when the rubric loads, saying why.
    expect(() => parseRubric(YAML.replace('"TODO"', '"(a)\\\\1"'), { where })).toThrow(
      /checks\.1\.pattern: .*no backreferences or lookaround/,
    );
  });

  it('refuses duplicate criteria, examples scoring unknown criteria and a broken JSON Schema', () => {
    const base = { name: 'r', criteria: [{ name: 'a', description: 'd' }] };
    const issues = (value: unknown) =>
      RubricSchema.safeParse(value).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ ...base, criteria: [...base.criteria, { name: 'a', description: 'again' }] })).toEqual([
      'criteria.1.name',
    ]);
    expect(issues({ ...base, examples: [{ input: 'i', output: 'o', scores: { b: 1 }, why: 'w' }] })).toEqual([
      'examples.0.scores.b',
    ]);
    expect(issues({ ...base, checks: [{ type: 'json-schema', schema: { type: 'strng' } }] })).toEqual([
      'checks.0.schema',
    ]);
    expect(issues({ ...base, criteria: [] })).toEqual(['criteria']);
    expect(issues({ ...base, threshold: 1.5 })).toEqual(['threshold']);
  });

  it('reports invalid YAML and a missing file with their own codes', async () => {
    expect(() => parseRubric('name: [unclosed', { where: 'x.yaml' })).toThrow(
      expect.objectContaining({
        code: 'judge.invalid_rubric',
        message: expect.stringMatching(/^x\.yaml: not valid YAML/),
      }),
    );
    await expect(loadRubricFile(join(dir, 'none.yaml'))).rejects.toMatchObject({
      code: 'judge.rubric_not_found',
      message: expect.stringContaining('file not found'),
    });
    await expect(loadRubricFile(dir)).rejects.toMatchObject({
      code: 'judge.rubric_not_found',
      message: `rubric file ${dir}: is a folder, not a rubric file`,
    });
  });
});

describe('weightedScore', () => {
  const rubric = {
    criteria: [
      { name: 'correctness', description: '', weight: 3 },
      { name: 'clarity', description: '', weight: 1 },
    ],
  };

  it('weighs each criterion: (3·0.8 + 1·0.4) / 4 = 0.7, ignoring scores of other names', () => {
    expect(weightedScore(rubric, { correctness: 0.8, clarity: 0.4, extra: 0 })).toBeCloseTo(0.7, 12);
  });

  it('refuses a missing criterion and a score outside 0–1', () => {
    expect(() => weightedScore(rubric, { correctness: 1 })).toThrow(
      expect.objectContaining({ code: 'judge.missing_criterion', details: { missing: ['clarity'] } }),
    );
    expect(() => weightedScore(rubric, { correctness: 1.2, clarity: 0 })).toThrow(
      expect.objectContaining({ code: 'judge.invalid_score' }),
    );
  });
});
