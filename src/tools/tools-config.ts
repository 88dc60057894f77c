import { z } from 'zod';
import { ShellToolConfigSchema } from './builtin/shell/shell-tool-config.js';

/** The `tools` config section: built-in tools that are off or limited by default, and tool calls across a crash. */
export const ToolsConfigSchema = z.strictObject({
  shell: ShellToolConfigSchema.prefault({}),
  /**
   * What a resumed task does with a call of a tool that is not idempotent (see `defineTool`), when its
   * process died after the call started and before its result was journaled: `review` suspends the
   * task until a human says whether to run it again (approve), or what it returned (edit), or that
   * it failed (reject); `fail` fails the task with `tool.interrupted`. Idempotent tools simply run again.
   */
  onInterrupted: z.enum(['review', 'fail']).default('review'),
});

/** The `tools` section as parsed. */
export type ToolsConfig = z.infer<typeof ToolsConfigSchema>;
