import type { z } from 'zod';
import type { Json } from '../core/json.js';

/** What a tool sees of the task it runs in. */
export interface ToolContext {
  taskId: string;
  /** The task's workspace folder; file tools are confined to it. */
  workspace: string;
  signal: AbortSignal;
  now(): number;
  /** The agent calling the tool. */
  agent?: string | undefined;
  /** The journal key of the step this call runs in: stable across resumes, unique in the task. */
  step?: string | undefined;
  /** The task's working memory (shared by its agents), when memory is on. */
  notes?: TaskNotes | undefined;
}

/** A task's shared scratchpad as tools see it (working memory, within a token budget). */
export interface TaskNotes {
  /** `step`: the calling tool step's key (a summary of old notes is journaled under it). */
  add(note: {
    content: string;
    importance?: number;
    agent: string;
    step?: string | undefined;
  }): Promise<void>;
  /** The notes, oldest first. */
  read(): Promise<{ content: string; agent: string | null; importance: number }[]>;
}

/** A tool an agent can call: a name, a description for the model, a zod input schema, and code. */
export interface ToolDefinition<Input = unknown, Output extends Json = Json> {
  name: string;
  description: string;
  input: z.ZodType<Input>;
  /**
   * A human must approve each call: the task waits (durably, with no process waiting) until the
   * review is answered; a rejection is reported to the model, an edit replaces the input.
   */
  requiresApproval?: boolean;
  execute(input: Input, context: ToolContext): Promise<Output>;
}

/** Defines a tool; the identity function that gives the definition its types. */
export function defineTool<Input, Output extends Json>(
  definition: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return definition;
}

/** A tool with its input type erased, as registries hold them. */
export type AnyTool = ToolDefinition<any, Json>; // eslint-disable-line @typescript-eslint/no-explicit-any
