// Reads a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- load --profile DIR`) and
// prints where the time went: the functions with the most self time, and self time per package or
// source folder. Run: node --import tsx bench/profile-top.ts FILE.cpuprofile [--top 40]
import { readFileSync } from 'node:fs';
import { formatTable, intOption, option } from './bench-kit.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const top = intOption(rest, 'top', 40);
// Only inclusive entries whose line matches, e.g. --match 'zod|safeParse'.
const match = option(rest, 'match');
const markerCache = new Map<string, { line: number; source: string }[]>();
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

// Self time per node: each sample's time delta belongs to the node it hit.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = profile.endTime - profile.startTime;

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const where = place(url, functionName, lineNumber);
  byPlace.set(where, (byPlace.get(where) ?? 0) + us);
}

const rows = (map: Map<string, number>) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => [name, `${(us / 1000).toFixed(0)} ms`, `${((100 * us) / totalUs).toFixed(1)}%`]);

process.stdout.write(`${file}: ${(totalUs / 1e6).toFixed(1)} s profiled\n\n`);
process.stdout.write(`${formatTable(['where (package or folder)', 'self', 'share'], rows(byPlace))}\n\n`);
process.stdout.write(`${formatTable(['function', 'self', 'share'], rows(byFunction))}\n\n`);

// Inclusive time per function: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const inclusive = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = nodes.get(at)?.callFrame;
    if (!frame || !frame.url) continue;
    seen.add(
      `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1} [${place(frame.url, frame.functionName, frame.lineNumber)}]`,
    );
  }
  for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
if (match) for (const key of inclusive.keys()) if (!new RegExp(match).test(key)) inclusive.delete(key);
process.stdout.write(`${formatTable(['function (inclusive)', 'total', 'share'], rows(inclusive))}\n`);

/** A URL without the file:// prefix and the repository path. */
function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*?\/node_modules\//, 'node_modules/')
    .replace(/^.*?\/(dist|src)\//, '$1/');
}

/**
 * The npm package, agentd's source file, node's internals, or the VM's own entries (GC, idle). A
 * line of the dist/ bundle is placed in the source file whose `// src/…` marker (esbuild writes one
 * before each module it bundles) comes last before it.
 */
function place(url: string, functionName: string, lineNumber: number): string {
  if (!url) return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const short = shortUrl(url);
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short);
  if (pkg) return pkg[1] as string;
  if (!short.startsWith('dist/')) return short;
  const markers = bundleMarkers(url);
  let source = short;
  for (const marker of markers) {
    if (marker.line > lineNumber) break;
    source = marker.source;
  }
  return source;
}

/** The `// src/…` module markers of a bundle file, by 0-based line. */
function bundleMarkers(url: string): { line: number; source: string }[] {
  let markers = markerCache.get(url);
  if (!markers) {
    markers = [];
    const lines = readFileSync(new URL(url), 'utf8').split('\n');
    lines.forEach((text, line) => {
      if (/^\/\/ src\//.test(text)) markers?.push({ line, source: text.slice(3) });
    });
    markerCache.set(url, markers);
  }
  return markers;
}
