import type { z } from 'zod';
import type { Json } from '../core/json.js';

/** What a tool sees of the task it runs in. */
export interface ToolContext {
  taskId: string;
  /** The task's workspace folder; file tools are confined to it. */
  workspace: string;
  signal: AbortSignal;
  now(): number;
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
