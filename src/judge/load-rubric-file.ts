import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';
import { validate } from '../core/validate.js';
import { RubricSchema, rubricHash } from './rubric.js';
import type { Rubric } from './rubric.js';

/** A validated rubric and its version (the sha256 of the text it was read from). */
export interface LoadedRubric {
  rubric: Rubric;
  hash: string;
}

/**
 * Parses and validates a rubric's text (YAML, which includes JSON, unless `format` is 'json'). Errors are
 * `judge.invalid_rubric`, naming `where` and the key path.
 */
export function parseRubric(
  text: string,
  options: { where: string; format?: 'yaml' | 'json' },
): LoadedRubric {
  let raw: unknown;
  try {
    raw = options.format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const first = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new AgentdError({
      code: 'judge.invalid_rubric',
      message: `${options.where}: not valid ${options.format === 'json' ? 'JSON' : 'YAML'}: ${first}`,
    });
  }
  const rubric = validate(RubricSchema, raw, { where: options.where, code: 'judge.invalid_rubric' });
  return { rubric, hash: rubricHash(text) };
}

/** Reads a rubric file (YAML, or JSON by its `.json` extension) and validates it; see {@link parseRubric}. */
export async function loadRubricFile(path: string): Promise<LoadedRubric> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a folder, not a rubric file'
          : code === 'EACCES'
            ? 'not readable (permission denied)'
            : String(error);
    throw new AgentdError({ code: 'judge.rubric_not_found', message: `rubric file ${path}: ${reason}` });
  }
  const format = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
  const { rubric } = parseRubric(bytes.toString('utf8'), { where: path, format });
  // The bytes, not the decoded text: the version must change whenever the file does.
  return { rubric, hash: rubricHash(bytes) };
}
