import { z } from 'zod';

/** Every agent kind a spec may name; absent means `native`. */
export const AGENT_KINDS = ['native', 'langgraph', 'openai-agents', 'ai-sdk', 'process', 'a2a'] as const;

/** One of the agent kinds. */
export type AgentKind = (typeof AGENT_KINDS)[number];

/** The kinds whose agent is a module of the project (`module` + `export`). */
export const MODULE_KINDS: ReadonlySet<AgentKind> = new Set(['langgraph', 'openai-agents', 'ai-sdk']);

const REFERENCE = /^env:[A-Za-z_][A-Za-z0-9_]*$/;
// Names that carry credentials by convention: their values must be references, so a spec file never
// holds a secret (as for MCP servers' env).
const SENSITIVE_NAME = /auth|key|token|secret|password|cookie|session|credential/i;
// Set by agentd for every process agent (the task's gateway key among them): a spec cannot override them.
const RESERVED = /^(OPENAI_BASE_URL|OPENAI_API_KEY|AGENTD_.*)$/;

/** A process agent's extra environment: literal values, or `env:NAME` references to agentd's own. */
export const ProcessEnvSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(8192))
  .superRefine((values, ctx) => {
    for (const [name, value] of Object.entries(values)) {
      if (RESERVED.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is set by agentd for every process agent' });
      } else if (SENSITIVE_NAME.test(name) && !REFERENCE.test(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be a reference like env:VAR, not a literal secret',
        });
      }
    }
  });

/** The fields a spec check needs (a subset of the agent spec, before it is typed). */
interface KindFields {
  kind?: AgentKind | undefined;
  a2a?: unknown;
  module?: string | undefined;
  export?: string | undefined;
  command?: string[] | undefined;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  timeoutMs?: number | undefined;
  tools: string[];
  delegates?: string[] | undefined;
  requireApproval?: string[] | undefined;
}

/** The kind of an agent spec: its `kind`, `a2a` for a spec with an `a2a` remote, else `native`. */
export function agentKind(spec: { kind?: AgentKind | undefined; a2a?: unknown }): AgentKind {
  return spec.kind ?? (spec.a2a ? 'a2a' : 'native');
}

const PROCESS_FIELDS = ['command', 'cwd', 'env', 'timeoutMs'] as const;
const MODULE_FIELDS = ['module', 'export'] as const;

/** Checks that a spec has the fields its kind needs and none that belong to another kind. */
export function checkKindFields(spec: KindFields, ctx: z.RefinementCtx): void {
  const kind = agentKind(spec);
  const refuse = (field: string, message: string): void => {
    ctx.addIssue({ code: 'custom', path: [field], message });
  };
  const onlyFor = (fields: readonly (keyof KindFields)[], owner: string): void => {
    for (const field of fields) {
      if (spec[field] !== undefined) refuse(field, `belongs to kind ${owner}, not '${kind}'`);
    }
  };
  if (spec.a2a !== undefined && kind !== 'a2a')
    refuse('a2a', `an a2a remote makes the kind 'a2a', not '${kind}'`);
  if (kind === 'a2a' && spec.a2a === undefined) refuse('a2a', "kind 'a2a' needs a2a: { url }");
  if (MODULE_KINDS.has(kind)) {
    if (spec.module === undefined)
      refuse('module', `kind '${kind}' needs module: the file that exports the agent`);
  } else {
    onlyFor(MODULE_FIELDS, "'langgraph', 'openai-agents' or 'ai-sdk'");
  }
  if (kind === 'process') {
    if (spec.command === undefined) refuse('command', "kind 'process' needs command: [program, args…]");
  } else {
    onlyFor(PROCESS_FIELDS, "'process'");
  }
  if (kind !== 'native' && kind !== 'a2a') {
    // A foreign agent brings its own tools and loop: agentd's tools and delegation do not reach it.
    if (spec.tools.length > 0)
      refuse('tools', `a '${kind}' agent has its own tools; agentd's tools do not apply`);
    if (spec.delegates?.length)
      refuse('delegates', `a '${kind}' agent cannot delegate with agentd's delegate tool`);
  }
}
