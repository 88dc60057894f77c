import { describe, expect, it } from 'vitest';
import type { TaskNotes, ToolContext } from '../../define-tool.js';
import { notesTool } from './notes-tool.js';

const base: ToolContext = {
  taskId: 'task-1',
  workspace: '/nonexistent',
  signal: new AbortController().signal,
  now: () => 0,
};

describe('notes', () => {
  it('adds notes as the calling agent and reads them back', async () => {
    const kept: { content: string; agent: string | null; importance: number }[] = [];
    const notes: TaskNotes = {
      add: async (note) =>
        void kept.push({ content: note.content, agent: note.agent, importance: note.importance ?? 0.5 }),
      read: async () => kept,
    };
    const context = { ...base, agent: 'scout', notes };
    await expect(
      notesTool.execute(notesTool.input.parse({ action: 'add', text: ' cap is 40k ' }), context),
    ).resolves.toEqual({
      added: true,
    });
    await expect(notesTool.execute(notesTool.input.parse({ action: 'read' }), context)).resolves.toEqual({
      notes: [{ content: 'cap is 40k', agent: 'scout', importance: 0.5 }],
    });
  });

  it('says memory must be on when the task has no working memory', async () => {
    await expect(notesTool.execute({ action: 'read' }, base)).rejects.toMatchObject({
      code: 'tool.unavailable',
    });
  });

  it('refuses an empty note and an unknown action', () => {
    expect(notesTool.input.safeParse({ action: 'add', text: '  ' }).success).toBe(false);
    expect(notesTool.input.safeParse({ action: 'delete' }).success).toBe(false);
  });
});
