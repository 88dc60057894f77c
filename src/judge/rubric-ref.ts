import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';
import { loadRubricFile } from './load-rubric-file.js';
import type { LoadedRubric } from './load-rubric-file.js';
import { rubricHash } from './rubric.js';
import type { Rubric } from './rubric.js';

/**
 * A rubric's name as a request may give it: letters, digits, `.`, `_` and `-`, not starting with a
 * dot (so no `..`, no hidden file, no path).
 */
export const RUBRIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Whether a rubric reference is a name (resolved in `quality.rubricDir`) rather than a file path. */
export function isRubricName(reference: string): boolean {
  return RUBRIC_NAME.test(reference);
}

const EXTENSIONS = ['', '.yaml', '.yml', '.json'];

/**
 * The file a rubric name stands for in the rubric folder: `NAME`, `NAME.yaml`, `NAME.yml` or
 * `NAME.json`, whichever exists first, and only if it stays inside the folder once links are
 * followed. Throws `judge.rubric_not_found` saying neither the folder's path nor why a file was
 * refused (a caller over the network learns nothing about the server's files).
 */
export async function resolveRubricName(dir: string, name: string): Promise<string> {
  const notFound = () =>
    new AgentdError({
      code: 'judge.rubric_not_found',
      message: `rubric '${name}': no such rubric in the rubric folder (quality.rubricDir)`,
    });
  if (!isRubricName(name)) throw notFound();
  let root: string;
  try {
    root = await realpath(dir);
  } catch {
    throw notFound();
  }
  for (const extension of EXTENSIONS) {
    let file: string;
    try {
      file = await realpath(join(root, name + extension));
    } catch {
      continue;
    }
    if (file.startsWith(root + sep)) return file;
  }
  throw notFound();
}

/**
 * A rubric inline (the hash of its JSON is its version), by name from the rubric folder, or from a
 * file path (its content hash is its version). Requests over the network may give only the first
 * two (the tasks.create operation refuses paths); a path comes from the CLI or a library caller.
 */
export async function loadRubric(rubric: string | Rubric, rubricDir: string): Promise<LoadedRubric> {
  if (typeof rubric !== 'string') return { rubric, hash: rubricHash(JSON.stringify(rubric)) };
  if (!isRubricName(rubric)) return loadRubricFile(rubric);
  // A name's errors say the name: where the server keeps its rubrics is none of the caller's
  // business, nor what kind of file a name that is not a rubric is (one not-found for all).
  const file = await resolveRubricName(rubricDir, rubric);
  try {
    return await loadRubricFile(file, `rubric '${rubric}'`);
  } catch (error) {
    if (error instanceof AgentdError && error.code === 'judge.rubric_not_found') {
      throw new AgentdError({
        code: 'judge.rubric_not_found',
        message: `rubric '${rubric}': no such rubric in the rubric folder (quality.rubricDir)`,
      });
    }
    throw error;
  }
}
