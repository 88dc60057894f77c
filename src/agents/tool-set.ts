import type { LanguageModelV3FunctionTool } from '@ai-sdk/provider';
import { z } from 'zod';
import { parseJson } from '../core/json.js';
import type { Json } from '../core/json.js';
import type { AnyTool } from '../tools/index.js';

// A tool's JSON Schema, made once per tool definition rather than for every agent run.
const schemas = new WeakMap<AnyTool, LanguageModelV3FunctionTool['inputSchema']>();

/** The tools as the model sees them: name, description and input JSON Schema. */
export function toToolSet(tools: AnyTool[]): LanguageModelV3FunctionTool[] {
  // No execution here: the loop runs tools itself, each as a journaled step. Models without
  // tool calling are not routed calls that carry tools (see the router's capability filter).
  return tools.map((definition) => {
    let inputSchema = schemas.get(definition);
    if (!inputSchema) {
      inputSchema = (definition.inputSchema ??
        z.toJSONSchema(definition.input)) as LanguageModelV3FunctionTool['inputSchema'];
      schemas.set(definition, inputSchema);
    }
    return { type: 'function', name: definition.name, description: definition.description, inputSchema };
  });
}

/** Tool arguments arrive as JSON text; unparsable text is kept so the tool step reports it. */
export function parseToolInput(input: string): Json {
  if (input.trim() === '') return {};
  try {
    return parseJson(input);
  } catch {
    return input;
  }
}
