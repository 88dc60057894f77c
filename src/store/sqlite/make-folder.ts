import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';

/**
 * Creates `path` and its missing parents (mode `mode`), one level at a time. Not
 * `mkdirSync(path, { recursive: true })`: on Node 20 that loops forever, at 100% CPU, when a parent
 * cannot hold folders (`/proc/nope`). Fails at once with `store.unusable_path` naming the folder,
 * and says so when a part of the path is a file. `purpose` says what the folder is for, `hint`
 * how to choose another place.
 */
export function makeFolder(path: string, mode: number, purpose: string, hint: string): void {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    const found = statOf(current);
    if (found === 'folder') break;
    if (found === 'file') {
      throw unusable(`${current} is a file, not a folder, and ${purpose} needs a folder there; ${hint}`);
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EEXIST' && statOf(folder) === 'folder') continue;
      throw unusable(`cannot create the folder ${folder} for ${purpose} (${code}); ${hint}`);
    }
  }
}

/**
 * Creates the database file `path` (mode 0600) unless it exists; an existing file keeps its mode.
 * A folder in its place, or a place agentd cannot write, is a `store.unusable_path` naming it.
 */
export function createFile(path: string, hint: string): void {
  try {
    closeSync(openSync(path, 'a', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw unusable(
      code === 'EISDIR'
        ? `${path} is a folder, not a file, and the database needs a file there; ${hint}`
        : `cannot open the database ${path} (${code}); ${hint}`,
    );
  }
}

function statOf(path: string): 'folder' | 'file' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

function unusable(message: string): AgentdError {
  return new AgentdError({ code: 'store.unusable_path', message });
}
