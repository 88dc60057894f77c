import { z } from 'zod';
import type { Json } from '../../../core/json.js';
import { AgentdError } from '../../../core/errors.js';
import '../../tool-error-codes.js';
import { defineTool } from '../../define-tool.js';

/** Reads and writes the task's working memory: notes its agents share while the task runs. */
export const notesTool = defineTool({
  name: 'notes',
  // Reading is; adding twice would keep the note twice.
  idempotent: (input) => input.action === 'read',
  description:
    'A scratchpad shared by every agent of this task. `add` keeps a short note (a finding, a decision, ' +
    'an open question) with an importance 0–1; `read` returns the notes, oldest first. Past the token ' +
    'budget the oldest notes are condensed into one summary (or, with no model for it, the least important are dropped), so mark what must survive as important.',
  input: z.discriminatedUnion('action', [
    z.strictObject({
      action: z.literal('add'),
      text: z.string().trim().min(1).max(4000).describe('the note'),
      importance: z.number().min(0).max(1).optional().describe('0–1, default 0.5'),
    }),
    z.strictObject({ action: z.literal('read') }),
  ]),
  async execute(input, context): Promise<Json> {
    const notes = context.notes;
    if (!notes) {
      throw new AgentdError({
        code: 'tool.unavailable',
        message: 'notes need memory (memory.enabled: true)',
      });
    }
    if (input.action === 'add') {
      await notes.add({
        content: input.text,
        agent: context.agent ?? 'agent',
        step: context.step,
        ...(input.importance !== undefined ? { importance: input.importance } : {}),
      });
      return { added: true };
    }
    return { notes: (await notes.read()).map((note) => ({ ...note })) };
  },
});
