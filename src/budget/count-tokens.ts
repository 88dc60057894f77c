/** Counts the tokens of a text. */
export type TokenCounter = (text: string) => number;

let loading: Promise<TokenCounter> | undefined;

/**
 * The token counter used for budget reservations: the o200k_base encoding (OpenAI's current
 * models) in pure JavaScript. Other vendors' tokenizers differ by a few percent; reservations
 * are worst-case estimates and settle to the measured usage. Loaded on first use (~130 ms).
 */
export function loadTokenCounter(): Promise<TokenCounter> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then(
    (encoding) => (text: string) => (text.length === 0 ? 0 : encoding.countTokens(text)),
  );
  return loading;
}
