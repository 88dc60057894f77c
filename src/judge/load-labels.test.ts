import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLabels, parseLabels } from './load-labels.js';

const line = (value: Record<string, unknown>) => JSON.stringify(value);
const item = (id: string | number, label = 'pass') => ({ id, input: 'q', output: 'a', label });

describe('labels files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-labels-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads one item per line, skipping blank lines, with numeric ids as strings and extra keys dropped', async () => {
    const file = join(dir, 'labels.jsonl');
    writeFileSync(
      file,
      `${line({ ...item('a'), scores: { correctness: 0.5 }, annotator: 'kim' })}\n\n${line(item(2, 'fail'))}\r\n`,
    );
    expect(await loadLabels(file)).toEqual([
      { id: 'a', input: 'q', output: 'a', label: 'pass', scores: { correctness: 0.5 } },
      { id: '2', input: 'q', output: 'a', label: 'fail' },
    ]);
  });

  it('names the line of invalid JSON', () => {
    expect(() => parseLabels(`${line(item('a'))}\n{"id": "b",`, 'l.jsonl')).toThrow(
      expect.objectContaining({
        code: 'judge.invalid_labels',
        message: expect.stringMatching(/^l\.jsonl:2: not valid JSON/),
      }),
    );
  });

  it('names the line and the key of an invalid item', () => {
    const text = [line(item('a')), line(item('b')), line(item('c', 'maybe'))].join('\n');
    expect(() => parseLabels(text, 'l.jsonl')).toThrow(
      expect.objectContaining({
        code: 'judge.invalid_labels',
        path: 'label',
        message: expect.stringMatching(/^l\.jsonl:3: label: /),
      }),
    );
    expect(() => parseLabels(line({ ...item('a'), scores: { c: 2 } }), 'l.jsonl')).toThrow(
      /^l\.jsonl:1: scores\.c: /,
    );
  });

  it('refuses a duplicate id, naming both lines, and a file with no items', async () => {
    expect(() =>
      parseLabels([line(item('a')), line(item('b')), line(item('a'))].join('\n'), 'l.jsonl'),
    ).toThrow("l.jsonl:3: id 'a' is already used on line 1");
    expect(() => parseLabels('\n\n', 'l.jsonl')).toThrow('l.jsonl: no labelled items');
    await expect(loadLabels(join(dir, 'none.jsonl'))).rejects.toMatchObject({
      code: 'judge.labels_not_found',
    });
    // A folder given as the file says so.
    await expect(loadLabels(dir)).rejects.toMatchObject({
      message: `labels file ${dir}: a folder, not a file; give the JSONL file of labels`,
    });
  });
});
