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
   * The JSON Schema the model is shown instead of one made from `input`, for tools whose schema
   * comes from elsewhere (an MCP server's tool); `input` still checks what the model sends.
   */
  inputSchema?: Record<string, unknown>;
  /** Attributes added to the span of every call (e.g. the MCP server the call goes to). */
  attributes?: Readonly<Record<string, string>>;
  /**
   * A human must approve each call: the task waits (durably, with no process waiting) until the
   * review is answered; a rejection is reported to the model, an edit replaces the input.
   */
  requiresApproval?: boolean;
  /**
   * Whether a second run of the same call has the same effect as one (read-only tools, tools that
   * overwrite), or a function of the input for tools where it depends. Default false: a call that
   * is not idempotent is marked started before it runs, and when agentd stops mid-call the resumed
   * task does not run it again on its own (`tools.onInterrupted`: ask a human, or fail). Idempotent
   * calls cut off mid-run simply run again.
   */
  idempotent?: boolean | ((input: Input) => boolean);
  execute(input: Input, context: ToolContext): Promise<Output>;
}

/** Defines a tool; the identity function that gives the definition its types. */
export function defineTool<Input, Output extends Json>(
  definition: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return definition;
}

/**
 * Whether this call of the tool may run again after being cut off mid-run. An input the tool's
 * schema refuses runs nothing (the call fails validation), so it counts as idempotent.
 */
export function isIdempotentCall(tool: AnyTool, input: unknown): boolean {
  if (typeof tool.idempotent !== 'function') return tool.idempotent === true;
  const parsed = tool.input.safeParse(input);
  return !parsed.success || tool.idempotent(parsed.data);
}

/** A tool with its input type erased, as registries hold them. */
export type AnyTool = ToolDefinition<any, Json>; // eslint-disable-line @typescript-eslint/no-explicit-any
