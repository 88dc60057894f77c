import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRubricName, loadRubricFile } from '../judge/index.js';
import type { Rubric } from '../judge/index.js';

/**
 * What `--rubric FILE|NAME` sends with the task: a file here is read by the CLI and sent inline (the
 * runtime never opens a path a request names); otherwise a plain name is a rubric of the rubric
 * folder (`quality.rubricDir`). A file that cannot be read or is not a rubric fails here, naming it.
 */
export async function rubricOption(reference: string): Promise<string | Rubric> {
  const path = resolve(reference);
  if (!existsSync(path) && isRubricName(reference)) return reference;
  return (await loadRubricFile(path)).rubric;
}
