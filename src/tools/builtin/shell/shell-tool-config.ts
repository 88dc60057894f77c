import { z } from 'zod';

/** A program name or absolute path as `tools.shell.allow` lists it. */
const ProgramSchema = z
  .string()
  .regex(/^[A-Za-z0-9._+\-/]{1,256}$/, { message: 'must be a program name or path, without spaces' });

/** The `tools.shell` config section: off unless enabled, then confined (see docs/security/shell.md). */
export const ShellToolConfigSchema = z.strictObject({
  /** Whether agents whose spec lists `shell` get it at all (default false). */
  enabled: z.boolean().default(false),
  /**
   * The programs (argv[0], matched exactly: a bare name or an absolute path) a call may start; an
   * allowlist, never a denylist. Empty by default: which programs are safe depends on the machine
   * and on isolation (without bubblewrap, `cat` reads any file agentd can), so the operator names them.
   */
  allow: z.array(ProgramSchema).default([]),
  /** Run the command through `sh -c` (pipes, redirections, `;`); off: argv is passed as is. */
  allowShellSyntax: z.boolean().default(false),
  /** A human approves every call before it runs (default true). */
  requiresApproval: z.boolean().default(true),
  /** Wall-clock limit of one call, ms; the process group is killed when it passes. */
  timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /** Bytes kept of stdout and of stderr each; the rest is dropped and the output marked truncated. */
  maxOutputBytes: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  /** Let commands reach the network (bubblewrap only isolates it when false). */
  network: z.boolean().default(false),
  /**
   * `bubblewrap` isolation: `auto` uses it when it works on this machine, `required` refuses to run
   * without it, `off` never uses it (the process still runs in the workspace with a clean environment).
   */
  isolation: z.enum(['auto', 'required', 'off']).default('auto'),
});

/** The `tools.shell` section as parsed. */
export type ShellToolConfig = z.infer<typeof ShellToolConfigSchema>;
