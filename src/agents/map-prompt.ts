import type { JSONValue, LanguageModelV3Prompt, LanguageModelV3ToolResultOutput } from '@ai-sdk/provider';

/** A copy of the prompt with `map` applied to every text in it; file parts and provider options are kept as they are. */
export function mapPrompt(
  prompt: LanguageModelV3Prompt,
  map: (text: string) => string,
): LanguageModelV3Prompt {
  return prompt.map((message) => {
    switch (message.role) {
      case 'system':
        return { ...message, content: map(message.content) };
      case 'user':
        return {
          ...message,
          content: message.content.map((part) =>
            part.type === 'text' ? { ...part, text: map(part.text) } : part,
          ),
        };
      case 'assistant':
        return {
          ...message,
          content: message.content.map((part) => {
            switch (part.type) {
              case 'text':
              case 'reasoning':
                return { ...part, text: map(part.text) };
              case 'tool-call':
                return { ...part, input: mapJson(part.input, map) };
              case 'tool-result':
                return { ...part, output: mapToolOutput(part.output, map) };
              default:
                return part;
            }
          }),
        };
      case 'tool':
        return {
          ...message,
          content: message.content.map((part) => {
            if (part.type === 'tool-result') return { ...part, output: mapToolOutput(part.output, map) };
            return part.reason === undefined ? part : { ...part, reason: map(part.reason) };
          }),
        };
      default:
        return message;
    }
  });
}

function mapToolOutput(
  output: LanguageModelV3ToolResultOutput,
  map: (text: string) => string,
): LanguageModelV3ToolResultOutput {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return { ...output, value: map(output.value) };
    case 'json':
    case 'error-json':
      return { ...output, value: mapJson(output.value, map) as JSONValue };
    case 'execution-denied':
      return output.reason === undefined ? output : { ...output, reason: map(output.reason) };
    case 'content':
      return {
        ...output,
        value: output.value.map((item) => (item.type === 'text' ? { ...item, text: map(item.text) } : item)),
      };
    default:
      return output;
  }
}

/**
 * `map` applied to every string of a JSON value, keys included. A number that `map` changes (a card
 * number sent as a number) becomes the mapped string: a masked number cannot stay a number.
 */
function mapJson(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (typeof value === 'number') {
    const text = String(value);
    const mapped = map(text);
    return mapped === text ? value : mapped;
  }
  if (Array.isArray(value)) return value.map((item) => mapJson(item, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [map(key), mapJson(item, map)]));
  }
  return value;
}
