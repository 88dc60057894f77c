/**
 * Describes a YAML (or JSON) syntax error for a person: `file:line: reason`, then the offending line
 * quoted with its number, so the mistake is seen without opening the file. Duck-typed on the `yaml`
 * package's `linePos` so that any layer can use it. `prefix` goes before the reason.
 */
export function describeParseError(path: string, text: string, error: unknown, prefix = ''): string {
  const reason = prefix + (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
  const line = lineOf(error);
  if (line === undefined) return `${path}: ${reason}`;
  const source = text.split(/\r?\n/)[line - 1];
  const quoted = source === undefined ? '' : `\n  ${line} | ${source.trimEnd()}`;
  return `${path}:${line}: ${reason}${quoted}`;
}

function lineOf(error: unknown): number | undefined {
  const pos = (error as { linePos?: readonly { line?: unknown }[] } | null)?.linePos?.[0]?.line;
  return typeof pos === 'number' && pos > 0 ? pos : undefined;
}
