import { detectPii } from './detect-pii.js';

/** One finding as `agentd redact --json` and `POST /v1/redact` report it. */
export interface RedactFinding {
  type: string;
  start: number;
  end: number;
  text: string;
}

/**
 * Every finding of `text`, and the text with each replaced by a numbered placeholder of its type
 * (`[EMAIL_1]`; the same value gets the same placeholder). Offsets are UTF-16, `end` exclusive.
 */
export function redactText(text: string): { findings: RedactFinding[]; redacted: string } {
  const findings = detectPii(text);
  const byValue = new Map<string, string>();
  const perType = new Map<string, number>();
  let redacted = '';
  let copied = 0;
  for (const { kind, start, end, value } of findings) {
    let placeholder = byValue.get(value);
    if (placeholder === undefined) {
      const number = (perType.get(kind) ?? 0) + 1;
      perType.set(kind, number);
      placeholder = `[${kind.toUpperCase().replaceAll('-', '_')}_${number}]`;
      byValue.set(value, placeholder);
    }
    redacted += text.slice(copied, start) + placeholder;
    copied = end;
  }
  return {
    findings: findings.map(({ kind, start, end, value }) => ({ type: kind, start, end, text: value })),
    redacted: redacted + text.slice(copied),
  };
}
