import { z } from 'zod';
import { defineTool } from '../tools/index.js';
import type { AnyTool } from '../tools/index.js';

/** The name of the tool through which an agent hands a sub-task to a teammate or a sub-team. */
export const DELEGATE_TOOL = 'delegate';

/**
 * The `delegate` tool offered to agents that list `delegates`. The agent loop runs it itself (as a
 * child run, not a journaled tool step), so `execute` is never called.
 */
export function delegateTool(targets: readonly string[]): AnyTool {
  return defineTool({
    name: DELEGATE_TOOL,
    description:
      `Hand a self-contained sub-task to another agent or team and get its answer back. ` +
      `Available: ${targets.join(', ')}.`,
    input: z.strictObject({
      to: z.enum(targets as [string, ...string[]]).describe('who does the sub-task'),
      task: z.string().min(1).describe('the sub-task, with everything needed to do it'),
    }),
    async execute() {
      throw new Error('the delegate tool is run by the agent loop');
    },
  });
}
