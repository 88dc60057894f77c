// Precision and recall of the PII detectors on the labelled corpus in bench/data/pii/*.jsonl: one JSON
// object a line, `{"text": …, "pii": [[type, value], …]}`, every occurrence of a labelled value in its
// text is one expected span; an item with `"pii": []` must not be flagged at all. A finding counts as a
// true positive only when its type, start and end equal an expected span's (span-level, exact).
// Run with `npm run bench -- pii`; `--misses` also lists every false positive and false negative.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { detectPii } from '../src/security/index.js';
import { flag, machineLine, printTable } from './bench-kit.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'data', 'pii');

/** One labelled item of the corpus. */
interface Item {
  text: string;
  pii: [string, string][];
}

/** A typed span of an item. */
interface Span {
  type: string;
  start: number;
  end: number;
}

/** Every item of every corpus file, in file order. */
export function loadCorpus(dir: string = DATA): Item[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Item),
    );
}

/** The expected spans of an item: every occurrence of every labelled value. */
function expectedSpans(item: Item): Span[] {
  const spans: Span[] = [];
  for (const [type, value] of item.pii) {
    for (let at = item.text.indexOf(value); at !== -1; at = item.text.indexOf(value, at + 1)) {
      spans.push({ type, start: at, end: at + value.length });
    }
  }
  return spans;
}

const key = (span: Span): string => `${span.type}:${span.start}:${span.end}`;

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const items = loadCorpus();
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const count = (type: string) => {
    let entry = counts.get(type);
    if (!entry) counts.set(type, (entry = { tp: 0, fp: 0, fn: 0 }));
    return entry;
  };
  const misses: string[] = [];
  let flaggedNegatives = 0;
  let negatives = 0;
  let detectMs = 0;
  let characters = 0;
  for (const item of items) {
    const expected = expectedSpans(item);
    const started = performance.now();
    const found = detectPii(item.text).map((m) => ({ type: m.kind, start: m.start, end: m.end }));
    detectMs += performance.now() - started;
    characters += item.text.length;
    const expectedKeys = new Set(expected.map(key));
    const foundKeys = new Set(found.map(key));
    for (const span of found) {
      if (expectedKeys.has(key(span))) count(span.type).tp++;
      else {
        count(span.type).fp++;
        misses.push(`FP ${span.type} ${JSON.stringify(item.text.slice(span.start, span.end))}`);
      }
    }
    for (const span of expected) {
      if (foundKeys.has(key(span))) continue;
      count(span.type).fn++;
      misses.push(`FN ${span.type} ${JSON.stringify(item.text.slice(span.start, span.end))}`);
    }
    if (item.pii.length === 0) {
      negatives++;
      if (found.length > 0) flaggedNegatives++;
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}%`);
  const rows = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, c]) => [
      type,
      String(c.tp + c.fn),
      String(c.tp),
      String(c.fp),
      String(c.fn),
      ratio(c.tp, c.tp + c.fp),
      ratio(c.tp, c.tp + c.fn),
    ]);
  const total = [...counts.values()].reduce(
    (all, c) => ({ tp: all.tp + c.tp, fp: all.fp + c.fp, fn: all.fn + c.fn }),
    { tp: 0, fp: 0, fn: 0 },
  );
  rows.push([
    'overall',
    String(total.tp + total.fn),
    String(total.tp),
    String(total.fp),
    String(total.fn),
    ratio(total.tp, total.tp + total.fp),
    ratio(total.tp, total.tp + total.fn),
  ]);
  console.log(`pii: ${items.length} items (${negatives} negatives) — ${machineLine()}`);
  printTable(['type', 'labelled', 'tp', 'fp', 'fn', 'precision', 'recall'], rows);
  console.log(
    `negatives flagged: ${flaggedNegatives} of ${negatives}; detection ${(detectMs / items.length).toFixed(3)} ms ` +
      `per item (${Math.round(characters / items.length)} characters on average)`,
  );
  if (flag(args, 'misses')) for (const miss of misses) console.log(miss);
}
