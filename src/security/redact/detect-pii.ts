import { PII_DETECTORS, PII_KINDS, type PiiKind } from './pii-detectors.js';

/** One detected value: its kind, where it is (`end` exclusive) and the text itself. */
export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

/** Which kinds to look for; every kind when omitted. */
export interface PiiOptions {
  kinds?: readonly PiiKind[];
}

/** Finds every PII value in text, non-overlapping, ordered by start (longest match wins on overlap). */
export function detectPii(text: string, options: PiiOptions = {}): PiiMatch[] {
  const { kinds } = options;
  const wanted = kinds === undefined ? PII_KINDS : PII_KINDS.filter((kind) => kinds.includes(kind));
  const candidates: PiiMatch[] = [];
  for (const kind of wanted) {
    for (const { start, end } of PII_DETECTORS[kind](text)) {
      candidates.push({ kind, start, end, value: text.slice(start, end) });
    }
  }
  return withoutOverlaps(candidates);
}

/** Replaces every detected value with what `replacement` returns for it. */
export function replacePii(
  text: string,
  options: PiiOptions,
  replacement: (match: PiiMatch) => string,
): string {
  let result = '';
  let copied = 0;
  for (const match of detectPii(text, options)) {
    result += text.slice(copied, match.start) + replacement(match);
    copied = match.end;
  }
  return result + text.slice(copied);
}

/**
 * Keeps the longest of overlapping candidates (an IBAN over the card-like digits inside it, `+1 (415) 555-0132`
 * over its national part); equal lengths go to the more specific kind, then to the earlier start.
 */
function withoutOverlaps(candidates: PiiMatch[]): PiiMatch[] {
  const rank = (kind: PiiKind): number => PII_KINDS.indexOf(kind);
  const byPreference = [...candidates].sort(
    (a, b) => b.end - b.start - (a.end - a.start) || rank(a.kind) - rank(b.kind) || a.start - b.start,
  );
  // Kept matches, sorted by start and disjoint, so only the neighbours of an insertion point can overlap.
  const kept: PiiMatch[] = [];
  for (const candidate of byPreference) {
    const index = firstStartingAtOrAfter(kept, candidate.start);
    const before = kept[index - 1];
    const after = kept[index];
    if (
      (before === undefined || before.end <= candidate.start) &&
      (after === undefined || after.start >= candidate.end)
    ) {
      kept.splice(index, 0, candidate);
    }
  }
  return kept;
}

function firstStartingAtOrAfter(sorted: readonly PiiMatch[], start: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle]?.start ?? Infinity) < start) low = middle + 1;
    else high = middle;
  }
  return low;
}
