import { newId } from '../core/ids.js';
import type { MemoryPatch, MemoryRecord, MemoryStore } from '../store/memory-store.js';
import type { MemoryPiiPolicy } from '../security/security-config.js';
import { underPiiPolicy } from './memory-privacy.js';
import { newMemory } from './new-memory.js';

/** A task's scratchpad: notes the task's agents share, kept within a token budget. */
export interface WorkingMemory {
  /** Adds a note; when the notes pass the budget, the oldest are summarised or dropped first. */
  add(note: { content: string; importance?: number; agent?: string | null }): Promise<MemoryRecord>;
  /** The notes, oldest first. */
  notes(): Promise<MemoryRecord[]>;
  /** The notes as one block for a prompt (empty when there are none). */
  render(): Promise<string>;
}

/** Options of {@link createWorkingMemory}. */
export interface WorkingMemoryOptions {
  store: MemoryStore;
  tenant: string;
  taskId: string;
  team?: string | null;
  /** The budget of all notes together. */
  maxTokens: number;
  now: () => number;
  /** Counts a text's tokens (default: about four characters a token). */
  countTokens?: (text: string) => number;
  /** Summarises notes into one (a model); without it, notes over the budget are dropped. */
  summarise?: (notes: readonly string[]) => Promise<string>;
}

/**
 * Working memory of one task (layer `working`, scoped to the task). Over budget, the oldest notes
 * (never the newest one) are folded into one summary note when a summariser is given; otherwise
 * notes are dropped, least important first and oldest first among equals.
 */
export function createWorkingMemory(options: WorkingMemoryOptions): WorkingMemory {
  const { store, tenant, taskId } = options;
  const count = options.countTokens ?? ((text: string) => Math.ceil(text.length / 4));
  const filter = { tenant, taskId, layers: ['working' as const] };

  async function notes(): Promise<MemoryRecord[]> {
    return store.list({ filter, limit: 10_000 });
  }

  async function compact(): Promise<void> {
    let current = await notes();
    const total = (list: MemoryRecord[]) => list.reduce((sum, note) => sum + count(note.content), 0);
    if (options.summarise) {
      // Fold the older half (at least two notes, never the newest) into one summary, until within
      // budget or a fold no longer shrinks.
      while (current.length > 2 && total(current) > options.maxTokens) {
        const older = current.slice(
          0,
          Math.min(current.length - 1, Math.max(2, Math.floor(current.length / 2))),
        );
        const summary = (await options.summarise(older.map((note) => note.content))).trim();
        if (!summary || count(summary) >= total(older)) break;
        const first = older[0] as MemoryRecord;
        const folded: MemoryRecord = {
          ...first,
          id: newId('mem', first.createdAt),
          content: summary,
          embedding: null,
          embeddingModel: null,
          agent: null,
          importance: Math.max(...older.map((note) => note.importance)),
          provenance: { taskId, step: null, source: `summary of ${older.length} notes` },
          tags: ['summary'],
        };
        // The summary replaces the notes in one write: never both, never neither.
        await store.apply(tenant, { add: [folded], forget: older.map((note) => note.id) });
        current = await notes();
      }
    }
    // The newest note is the one just added: it is never dropped.
    const droppable = current
      .slice(0, -1)
      .sort((a, b) => a.importance - b.importance || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    let size = total(current);
    for (const note of droppable) {
      if (size <= options.maxTokens) break;
      await store.forget(note.id, tenant);
      size -= count(note.content);
    }
  }

  return {
    async add(note) {
      const now = options.now();
      const record = newMemory(
        { tenant, layer: 'working', content: note.content.trim(), now },
        {
          team: options.team ?? null,
          agent: note.agent ?? null,
          taskId,
          importance: note.importance ?? 0.5,
          provenance: { taskId, step: null, source: null },
        },
      );
      await store.add(record);
      await compact();
      return record;
    },
    notes,
    async render() {
      const list = await notes();
      if (list.length === 0) return '';
      return `${WORKING_MEMORY_HEADER}\n${list.map((note) => `- ${note.content.replace(/\s+/g, ' ')}`).join('\n')}`;
    },
  };
}

/**
 * A task's working notes once it has ended, under the PII policy like every other memory: the task
 * needed the values, the shared store keeps placeholders (or drops the note, under `drop`).
 */
export async function sealWorkingNotes(options: {
  store: MemoryStore;
  tenant: string;
  taskId: string;
  pii: MemoryPiiPolicy;
}): Promise<void> {
  const { store, tenant, taskId, pii } = options;
  const notes = await store.list({ filter: { tenant, taskId, layers: ['working'] }, limit: 10_000 });
  const update: { id: string; patch: MemoryPatch }[] = [];
  const forget: string[] = [];
  for (const note of notes) {
    const kept = underPiiPolicy(pii, { content: note.content });
    if (kept === null) forget.push(note.id);
    else if (kept.texts.content !== note.content) {
      // The old vector was made from the values: it goes too (working notes are never recalled).
      const tags = [...new Set([...note.tags, ...kept.tags])];
      update.push({
        id: note.id,
        patch: { content: kept.texts.content, tags, embedding: null, embeddingModel: null },
      });
    }
  }
  if (update.length > 0 || forget.length > 0) await store.apply(tenant, { update, forget });
}

/** The instructions of the model that folds old working notes into one. */
export const NOTES_SUMMARY_INSTRUCTIONS =
  'You condense the working notes a team of agents keeps during a task into one short note. Keep ' +
  'every number, name, decision and open question; drop repetition and chatter. Answer with the note ' +
  'only: plain text, no preamble, shorter than the notes together.';

/** The prompt that asks a model to fold notes into one. */
export function notesSummaryPrompt(notes: readonly string[]): string {
  return `Notes, oldest first:\n${notes.map((note) => `- ${note.replace(/\s+/g, ' ')}`).join('\n')}\n\nThe note that replaces them:`;
}

/** The line that opens a task's working memory in a prompt. */
export const WORKING_MEMORY_HEADER = 'Working notes of this task (shared by its agents):';
