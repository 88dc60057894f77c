import { MAX_PLACEHOLDER_LENGTH, PARTIAL_PLACEHOLDER, type PiiMasker } from './pii-masker.js';

/** Unmasks text that arrives in chunks; `flush` returns whatever is still held back when the stream ends. */
export interface StreamUnmasker {
  push(chunk: string): string;
  flush(): string;
}

/** Unmasks streamed text: holds back a trailing partial placeholder until the next chunk or flush. */
export function createStreamUnmasker(masker: PiiMasker): StreamUnmasker {
  let held = '';
  return {
    push(chunk) {
      const text = held + chunk;
      const partial = PARTIAL_PLACEHOLDER.exec(text);
      // A ⟦ followed by more than a placeholder's worth of text is not a placeholder: no reason to wait.
      const holdFrom =
        partial !== null && text.length - partial.index < MAX_PLACEHOLDER_LENGTH
          ? partial.index
          : text.length;
      held = text.slice(holdFrom);
      return masker.unmask(text.slice(0, holdFrom));
    },
    flush() {
      const rest = held;
      held = '';
      return masker.unmask(rest);
    },
  };
}
