import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
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

// A rubric is a page of YAML; anything this large is not one.
const MAX_RUBRIC_BYTES = 1024 * 1024;

/**
 * Reads a rubric file (YAML, or JSON by its `.json` extension) and validates it; see {@link parseRubric}.
 * Only a regular file is read (a FIFO or device would block or never end), opened once and checked
 * on that handle, so it cannot be swapped between the check and the read.
 */
export async function loadRubricFile(
  path: string,
  /** How errors name the file (default: `rubric file PATH`, and PATH for what is in it). */
  where?: string,
): Promise<LoadedRubric> {
  const file = where ?? `rubric file ${path}`;
  let bytes: Buffer;
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (info.isDirectory()) throw rubricFileError(file, 'is a folder, not a rubric file');
    if (!info.isFile()) throw rubricFileError(file, 'not a regular file');
    if (info.size > MAX_RUBRIC_BYTES) {
      throw rubricFileError(file, `larger than ${MAX_RUBRIC_BYTES / 1024 / 1024} MB, not a rubric`);
    }
    bytes = await handle.readFile();
  } catch (error) {
    if (error instanceof AgentdError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a folder, not a rubric file'
          : code === 'EACCES'
            ? 'not readable (permission denied)'
            : String(error);
    throw rubricFileError(file, reason);
  } finally {
    await handle?.close();
  }
  const format = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
  const { rubric } = parseRubric(bytes.toString('utf8'), { where: where ?? path, format });
  // The bytes, not the decoded text: the version must change whenever the file does.
  return { rubric, hash: rubricHash(bytes) };
}

function rubricFileError(where: string, reason: string): AgentdError {
  return new AgentdError({ code: 'judge.rubric_not_found', message: `${where}: ${reason}` });
}
