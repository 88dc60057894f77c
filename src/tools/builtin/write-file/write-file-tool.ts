import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AgentdError } from '../../../core/errors.js';
import '../../tool-error-codes.js';
import { resolveInWorkspace } from '../../../security/index.js';
import { defineTool } from '../../define-tool.js';
import { toFileToolError, toWorkspacePath } from '../workspace-path.js';

/** Writes a UTF-8 text file in the task's workspace, creating its folders. */
export const writeFileTool = defineTool({
  name: 'write_file',
  // Replaces the whole file: writing the same content twice leaves what writing it once does.
  idempotent: true,
  description:
    'Write a UTF-8 text file in the workspace, replacing it if it exists. `path` is relative to the ' +
    'workspace folder; missing parent folders are created.',
  input: z.strictObject({
    path: z.string().min(1).describe('File path relative to the workspace, e.g. "notes/summary.md"'),
    content: z.string().describe('The full text to write'),
  }),
  async execute({ path: requested, content }, context) {
    const root = await resolveInWorkspace(context.workspace, '.');
    const file = await resolveInWorkspace(context.workspace, requested);
    // The workspace folder itself resolves inside; refuse it here, or mkdir would run on its parent.
    if (file === root) {
      throw new AgentdError({
        code: 'tool.invalid_input',
        message: `'${requested}' is the workspace folder, not a file`,
        path: 'path',
      });
    }
    try {
      // `file` is a real path whose missing tail is inside the workspace, so the folders created are too.
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content, { encoding: 'utf8', signal: context.signal });
    } catch (error) {
      throw toFileToolError(error, requested);
    }
    return { path: toWorkspacePath(root, file), bytes: Buffer.byteLength(content, 'utf8') };
  },
});
