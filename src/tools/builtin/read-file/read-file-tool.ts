import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { AgentdError } from '../../../core/errors.js';
import '../../tool-error-codes.js';
import { resolveInWorkspace } from '../../../security/index.js';
import { defineTool } from '../../define-tool.js';
import { toFileToolError, toWorkspacePath } from '../workspace-path.js';

/** The largest file read_file returns (1 MiB): more would not fit a model's context anyway. */
export const MAX_READ_FILE_BYTES = 1024 * 1024;

/** How much of a file is scanned for NUL bytes to tell binary from text (what git does too). */
const BINARY_SNIFF_BYTES = 8000;

/** Reads a UTF-8 text file from the task's workspace. */
export const readFileTool = defineTool({
  name: 'read_file',
  // Read-only.
  idempotent: true,
  description:
    'Read a UTF-8 text file from the workspace. `path` is relative to the workspace folder. ' +
    'Files larger than 1 MiB and binary files are refused.',
  input: z.strictObject({
    path: z.string().min(1).describe('File path relative to the workspace, e.g. "src/index.ts"'),
  }),
  async execute({ path: requested }, context) {
    const root = await resolveInWorkspace(context.workspace, '.');
    const file = await resolveInWorkspace(context.workspace, requested);

    let handle: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO someone left in the workspace must not hang the task.
      handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw toFileToolError(error, requested);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw new AgentdError({
          code: 'tool.invalid_input',
          message: `'${requested}' is not a regular file`,
          path: 'path',
        });
      }
      if (stats.size > MAX_READ_FILE_BYTES) throw tooLarge(requested, stats.size);
      const content = await handle.readFile({ signal: context.signal });
      // The file may have grown between stat and read.
      if (content.length > MAX_READ_FILE_BYTES) throw tooLarge(requested, content.length);
      if (content.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
        throw new AgentdError({
          code: 'tool.binary_file',
          message: `'${requested}' is a binary file; read_file returns text only`,
          details: { requested },
        });
      }
      return { path: toWorkspacePath(root, file), content: content.toString('utf8') };
    } catch (error) {
      throw toFileToolError(error, requested);
    } finally {
      await handle.close();
    }
  },
});

function tooLarge(requested: string, bytes: number): AgentdError {
  return new AgentdError({
    code: 'tool.file_too_large',
    message: `'${requested}' is ${bytes} bytes; read_file returns files up to ${MAX_READ_FILE_BYTES} bytes`,
    details: { requested, bytes, limit: MAX_READ_FILE_BYTES },
  });
}
