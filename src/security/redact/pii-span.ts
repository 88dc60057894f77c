/** Where a detected value sits: `start` inclusive, `end` exclusive, in UTF-16 offsets like `String#slice`. */
export interface PiiSpan {
  start: number;
  end: number;
}

/** Every match of a global pattern as a span. */
export function spansOf(pattern: RegExp, text: string): PiiSpan[] {
  return Array.from(text.matchAll(pattern), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
}
