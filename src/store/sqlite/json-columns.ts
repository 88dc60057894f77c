import type { Json } from '../../core/json.js';

/** Serialises a value for a TEXT column; a missing value becomes SQL NULL rather than the text `null`. */
export function toJsonText(value: Json | object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** Parses a TEXT column written by {@link toJsonText}; SQL NULL reads back as null. */
export function fromJsonText<T = Json>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
