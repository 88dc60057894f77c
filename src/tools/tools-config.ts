import { z } from 'zod';
import { ShellToolConfigSchema } from './builtin/shell/shell-tool-config.js';

/** The `tools` config section: settings of built-in tools that are off or limited by default. */
export const ToolsConfigSchema = z.strictObject({
  shell: ShellToolConfigSchema.prefault({}),
});

/** The `tools` section as parsed. */
export type ToolsConfig = z.infer<typeof ToolsConfigSchema>;
