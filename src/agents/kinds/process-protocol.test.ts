import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT } from '../../testing/fresh-bundle.js';
import {
  createLineSplitter,
  parseProcessLine,
  ProcessInputLineSchema,
  ProcessOutputLineSchema,
} from './process-protocol.js';

describe('the process protocol', () => {
  it('is documented in docs/frameworks.md with the JSON Schema of the code', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'frameworks.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## The process protocol'));
    const block = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const documented = JSON.parse(block) as { $defs: Record<string, unknown> };
    const strip = (schema: z.ZodType) => {
      const { $schema: _schema, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
      return rest;
    };
    expect(documented.$defs).toEqual({
      input: strip(ProcessInputLineSchema),
      output: strip(ProcessOutputLineSchema),
    });
  });

  it('parses protocol lines and leaves anything else to the log', () => {
    expect(parseProcessLine('{"type":"output","text":"hi","extra":1}')).toMatchObject({
      type: 'output',
      text: 'hi',
    });
    expect(parseProcessLine('{"type":"progress","message":"step 1"}')).toEqual({
      type: 'progress',
      message: 'step 1',
    });
    for (const line of ['hello', '{"type":"output"}', '{"type":"done","text":"x"}', '[1]', 'null']) {
      expect(parseProcessLine(line), line).toBeUndefined();
    }
  });

  it('splits chunks into lines and refuses an overlong line without holding it', () => {
    const lines: string[] = [];
    let overlong = 0;
    const splitter = createLineSplitter({
      maxChars: 5,
      onLine: (l) => lines.push(l),
      onOverlong: () => overlong++,
    });
    splitter.push('ab\r\ncd');
    splitter.push('e\nf');
    splitter.end();
    expect(lines).toEqual(['ab', 'cde', 'f']);
    const long = createLineSplitter({
      maxChars: 5,
      onLine: (l) => lines.push(l),
      onOverlong: () => overlong++,
    });
    long.push('123');
    long.push('4567');
    long.push('89\nok\n');
    expect(overlong).toBe(1);
    expect(lines).toEqual(['ab', 'cde', 'f']);
  });
});
