import { AgentdError } from '../core/errors.js';
import './tool-error-codes.js';
import type { AnyTool } from './define-tool.js';

/** The tools a runtime knows, looked up by name. */
export interface ToolRegistry {
  /** The tool named `name`; throws `tool.not_found` (listing the available tools) when there is none. */
  get(name: string): AnyTool;
  /** Whether a tool named `name` is registered. */
  has(name: string): boolean;
  /** Every registered tool, in registration order. */
  list(): AnyTool[];
  /**
   * The named tools, in the order given (duplicates dropped); throws `tool.not_found` naming every
   * unknown one. Names a source serves (`mcp:…`) are only checked here (see `resolve`).
   */
  select(names: string[]): AnyTool[];
  /** Like `select`, with the tools of names a source serves (an MCP server's tools) listed and appended. */
  resolve(names: string[]): Promise<AnyTool[]>;
}

/** Tools that are known only at run time (an MCP server's), named by references with a prefix. */
export interface ToolSource {
  /** The prefix of the names this source serves, e.g. `mcp:`. */
  prefix: string;
  /** Throws when `name` cannot be served (an unknown server), without connecting to anything. */
  check(name: string): void;
  /** The tools `names` stand for, as they are now. */
  resolve(names: string[]): Promise<AnyTool[]>;
}

/** The names model providers accept for function tools (OpenAI and Anthropic share this limit). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Creates a registry over `tools`; throws `tool.duplicate` when two share a name and `tool.invalid_name` for names models reject. */
export function createToolRegistry(tools: AnyTool[], options: { sources?: ToolSource[] } = {}): ToolRegistry {
  const sources = options.sources ?? [];
  const sourceOf = (name: string) => sources.find((source) => name.startsWith(source.prefix));
  const byName = new Map<string, AnyTool>();
  for (const tool of tools) {
    // Checked here rather than at the first model call, where the provider's error would name no tool.
    if (!TOOL_NAME.test(tool.name)) {
      throw new AgentdError({
        code: 'tool.invalid_name',
        message: `tool name '${tool.name}' is invalid: use 1-64 letters, digits, '_' or '-'`,
      });
    }
    if (byName.has(tool.name)) {
      throw new AgentdError({
        code: 'tool.duplicate',
        message: `two tools are named '${tool.name}'; tool names must be unique`,
      });
    }
    byName.set(tool.name, tool);
  }

  const notFound = (names: string[]): AgentdError => {
    const available = [...byName.keys()];
    const which = names.map((name) => `'${name}'`).join(', ');
    return new AgentdError({
      code: 'tool.not_found',
      message: `unknown tool${names.length === 1 ? '' : 's'} ${which}; available: ${available.join(', ') || '(none)'}`,
      details: { unknown: names, available },
    });
  };

  const select = (names: string[]): AnyTool[] => {
    const served = names.filter((name) => sourceOf(name) !== undefined);
    for (const name of served) sourceOf(name)?.check(name);
    const unique = [...new Set(names.filter((name) => sourceOf(name) === undefined))];
    const unknown = unique.filter((name) => !byName.has(name));
    if (unknown.length > 0) throw notFound(unknown);
    return unique.map((name) => byName.get(name) as AnyTool);
  };

  return {
    get(name) {
      const tool = byName.get(name);
      if (tool === undefined) throw notFound([name]);
      return tool;
    },
    has(name) {
      return byName.has(name);
    },
    list() {
      return [...byName.values()];
    },
    select,
    async resolve(names) {
      const resolved = select(names);
      for (const source of sources) {
        const mine = [...new Set(names.filter((name) => sourceOf(name) === source))];
        if (mine.length > 0) resolved.push(...(await source.resolve(mine)));
      }
      // A served tool may not shadow a registered one: the model would not know which it calls.
      const seen = new Set<string>();
      for (const tool of resolved) {
        if (seen.has(tool.name)) {
          throw new AgentdError({
            code: 'tool.duplicate',
            message: `two tools are named '${tool.name}'; tool names must be unique`,
          });
        }
        seen.add(tool.name);
      }
      return resolved;
    },
  };
}
