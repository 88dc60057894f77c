import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AgentdError, PolicyDeniedError } from '../../../core/errors.js';
import '../../tool-error-codes.js';
import { resolveInWorkspace } from '../../../security/index.js';
import { defineTool } from '../../define-tool.js';
import { toFileToolError, toWorkspacePath } from '../workspace-path.js';

/** The most entries one list_files call returns; beyond it the result says `truncated`. */
export const MAX_LIST_ENTRIES = 1000;

/** One listed file or folder; `path` is workspace-relative so it can be passed straight to read_file. */
export type ListedEntry = { path: string; type: 'file' | 'dir'; size: number };

/** Lists a folder of the task's workspace, optionally recursively. */
export const listFilesTool = defineTool({
  name: 'list_files',
  // Read-only.
  idempotent: true,
  description:
    'List files and folders in the workspace. `path` (default ".") is relative to the workspace folder; ' +
    `\`recursive\` descends into subfolders. At most ${MAX_LIST_ENTRIES} entries are returned; ` +
    '`truncated` is true when there were more.',
  input: z.strictObject({
    path: z.string().min(1).default('.').describe('Folder relative to the workspace; "." is the workspace'),
    recursive: z.boolean().default(false).describe('Also list the contents of subfolders'),
  }),
  async execute({ path: requested, recursive }, context) {
    const root = await resolveInWorkspace(context.workspace, '.');
    const folder = await resolveInWorkspace(context.workspace, requested);
    const entries: ListedEntry[] = [];
    let truncated = false;

    const walk = async (directory: string): Promise<void> => {
      let dirents: Dirent[];
      try {
        dirents = await readdir(directory, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
          throw new AgentdError({
            code: 'tool.invalid_input',
            message: `'${requested}' is a file, not a folder; use read_file to read it`,
            path: 'path',
          });
        }
        throw toFileToolError(error, requested);
      }
      // Code-unit order, not locale order: the same workspace always lists the same way.
      dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const dirent of dirents) {
        context.signal.throwIfAborted();
        if (entries.length >= MAX_LIST_ENTRIES) {
          truncated = true;
          return;
        }
        const absolute = path.join(directory, dirent.name);
        const entry = await describeEntry(context.workspace, root, absolute, dirent);
        if (entry === undefined) continue;
        entries.push(entry);
        // Symlinked folders are listed but not entered: that is how loops and escapes are avoided.
        if (recursive && dirent.isDirectory()) await walk(absolute);
        if (truncated) return;
      }
    };

    await walk(folder);
    return { entries, truncated };
  },
});

/** The entry for one directory item, or undefined for things a model cannot use (sockets, links leading out). */
async function describeEntry(
  workspace: string,
  root: string,
  absolute: string,
  dirent: Dirent,
): Promise<ListedEntry | undefined> {
  const entryPath = toWorkspacePath(root, absolute);
  if (dirent.isDirectory()) return { path: entryPath, type: 'dir', size: 0 };
  if (dirent.isFile()) return { path: entryPath, type: 'file', size: (await stat(absolute)).size };
  if (!dirent.isSymbolicLink()) return undefined;
  try {
    // A symlink is shown only when it stays inside the workspace, typed by what it points to.
    const target = await stat(await resolveInWorkspace(workspace, entryPath));
    if (target.isDirectory()) return { path: entryPath, type: 'dir', size: 0 };
    if (target.isFile()) return { path: entryPath, type: 'file', size: target.size };
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Links leading out of the workspace and dangling links are left out rather than failing the listing.
    if (error instanceof PolicyDeniedError || code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
