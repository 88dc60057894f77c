import { z } from 'zod';

/**
 * A value that may be a reference: `env:VAR` (an environment variable of agentd's process),
 * `secret:NAME` (a vault secret), or the literal text.
 */
const ValueSchema = z.string().max(8192);

const REFERENCE = /^(env:[A-Za-z_][A-Za-z0-9_]*|secret:[A-Za-z_][A-Za-z0-9_]{0,127})$/;
// Names that carry credentials by convention: their values must be references, so a config file
// never holds a secret and printing the config never shows one (as for providers' headers).
const SENSITIVE_NAME = /auth|key|token|secret|password|cookie|session|credential/i;

/** A map of names to values whose credential-looking entries must be `env:`/`secret:` references. */
function referencedValues(name: z.ZodString) {
  return z.record(name, ValueSchema).superRefine((values, ctx) => {
    for (const [key, value] of Object.entries(values)) {
      if (SENSITIVE_NAME.test(key) && !REFERENCE.test(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'must be a reference like env:VAR or secret:NAME, not a literal secret',
        });
      }
    }
  });
}

/** Names usable in tool names (`mcp_<server>_<tool>`): no `_`, so the server part is unambiguous. */
export const MCP_SERVER_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

const CommonSchema = {
  /** Every call of this server's tools waits for a human's approval (`true`), or of the tools listed. */
  requireApproval: z.union([z.boolean(), z.array(z.string().min(1).max(128))]).default(false),
  /** Time limit for starting (or connecting to) the server and its handshake, ms. */
  startTimeoutMs: z.number().int().positive().max(300_000).default(30_000),
  /** Time limit of one tool call, ms (the task's cancellation and wall time end it sooner). */
  callTimeoutMs: z.number().int().positive().max(3_600_000).default(60_000),
};

/** An MCP server agentd starts as a child process and talks to over stdin/stdout. */
const StdioServerSchema = z.strictObject({
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(8192)).max(256).default([]),
  /**
   * Environment of the server besides a minimal safe set (PATH, HOME, USER, …): agentd's own
   * environment, API keys included, is not inherited. Values may be `env:VAR` or `secret:NAME`.
   */
  env: referencedValues(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default({}),
  /** Working directory of the server (default: agentd's). */
  cwd: z.string().min(1).optional(),
  ...CommonSchema,
});

/** An MCP server reached over Streamable HTTP, through the outbound-request guard (`security.net`). */
const HttpServerSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/ })
    .refine((url) => !URL.canParse(url) || (new URL(url).username === '' && new URL(url).password === ''), {
      message: 'must not contain a username or password; use headers with env:VAR or secret:NAME references',
    }),
  /** Request headers; values may be `env:VAR` or `secret:NAME` (e.g. `Authorization: secret:GH_TOKEN`). */
  headers: referencedValues(z.string().regex(/^[A-Za-z0-9-]+$/)).default({}),
  ...CommonSchema,
});

/** One configured MCP server. */
export const McpServerConfigSchema = z.union([StdioServerSchema, HttpServerSchema]);

/** The `mcp` config section: MCP servers whose tools agents may use (`tools: [mcp:<server>]`). */
export const McpConfigSchema = z.strictObject({
  servers: z.record(z.string().regex(MCP_SERVER_NAME), McpServerConfigSchema).default({}),
});

/** One configured MCP server, defaults applied. */
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;
/** The `mcp` section as parsed. */
export type McpConfig = z.infer<typeof McpConfigSchema>;

/** The `env:VAR` references of the section: the variables the config loader reads for it. */
export function mcpEnvReferences(config: McpConfig): string[] {
  const names = new Set<string>();
  for (const server of Object.values(config.servers)) {
    const values = 'command' in server ? Object.values(server.env) : Object.values(server.headers);
    for (const value of values) if (value.startsWith('env:')) names.add(value.slice('env:'.length));
  }
  return [...names];
}
