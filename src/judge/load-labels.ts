import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';
import { validate } from '../core/validate.js';

/**
 * One human-labelled item for calibration: an output and whether it should pass; optionally the human's
 * scores per criterion. Other keys (annotator, notes) are allowed and dropped.
 */
export const LabelSchema = z.object({
  // Numbers too: spreadsheets export ids as numbers.
  id: z.union([z.string().min(1), z.number().int()]).transform(String),
  input: z.string(),
  output: z.string(),
  label: z.enum(['pass', 'fail']),
  scores: z.record(z.string(), z.number().min(0).max(1)).optional(),
});

/** A labelled item. */
export type Label = z.infer<typeof LabelSchema>;

/**
 * Parses JSONL labels: one JSON object per line, blank lines skipped. Errors are `judge.invalid_labels`
 * naming `where:line` and the key; ids must be unique.
 */
export function parseLabels(text: string, where: string): Label[] {
  const labels: Label[] = [];
  const lineOf = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    const at = `${where}:${lineNumber}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new AgentdError({
        code: 'judge.invalid_labels',
        message: `${at}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        details: { line: lineNumber },
      });
    }
    const label = validate(LabelSchema, raw, { where: at, code: 'judge.invalid_labels' });
    const previous = lineOf.get(label.id);
    if (previous !== undefined) {
      throw new AgentdError({
        code: 'judge.invalid_labels',
        message: `${at}: id '${label.id}' is already used on line ${previous}`,
        path: 'id',
        details: { line: lineNumber },
      });
    }
    lineOf.set(label.id, lineNumber);
    labels.push(label);
  });
  if (labels.length === 0) {
    throw new AgentdError({ code: 'judge.invalid_labels', message: `${where}: no labelled items` });
  }
  return labels;
}

/** Reads a JSONL labels file; see {@link parseLabels}. */
export async function loadLabels(path: string): Promise<Label[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'a folder, not a file; give the JSONL file of labels'
          : String(error);
    throw new AgentdError({ code: 'judge.labels_not_found', message: `labels file ${path}: ${reason}` });
  }
  return parseLabels(text, path);
}
