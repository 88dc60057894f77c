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
  /** The named tools, in the order given (duplicates dropped); throws `tool.not_found` naming every unknown one. */
  select(names: string[]): AnyTool[];
}

/** The names model providers accept for function tools (OpenAI and Anthropic share this limit). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Creates a registry over `tools`; throws `tool.duplicate` when two share a name and `tool.invalid_name` for names models reject. */
export function createToolRegistry(tools: AnyTool[]): ToolRegistry {
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
    select(names) {
      const unique = [...new Set(names)];
      const unknown = unique.filter((name) => !byName.has(name));
      if (unknown.length > 0) throw notFound(unknown);
      return unique.map((name) => byName.get(name) as AnyTool);
    },
  };
}
