// The README's config example is what a newcomer copies: it must load, and a value it shows as a
// default must be the schema's default (it once suggested a task budget of $0.50 that did not exist).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigFileSchema } from './config/config-schema.js';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

/** The README's YAML blocks that are agentd config files (they open with `# agentd.yaml`). */
function configBlocks(): string[] {
  const text = readFileSync(README, 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .filter((block) => block.startsWith('# agentd.yaml'));
}

/** Each key path of the block (`budget.task`) with the comment on its line. */
function commentsByPath(block: string): Map<string, string> {
  const comments = new Map<string, string>();
  const stack: { indent: number; key: string }[] = [];
  for (const line of block.split('\n')) {
    const match = /^(\s*)([A-Za-z][\w-]*):(.*)$/.exec(line);
    if (!match) continue;
    const indent = match[1]?.length ?? 0;
    while (stack.length > 0 && (stack.at(-1)?.indent ?? 0) >= indent) stack.pop();
    stack.push({ indent, key: match[2] ?? '' });
    const comment = /\s#\s(.*)$/.exec(match[3] ?? '')?.[1] ?? '';
    comments.set(stack.map((s) => s.key).join('.'), comment);
  }
  return comments;
}

/** Every leaf (scalar or list) of a parsed block, by key path. */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, prefix ? `${prefix}.${key}` : key));
}

function at(value: unknown, keyPath: string): unknown {
  return keyPath
    .split('.')
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      value,
    );
}

/** The comment on the leaf's own line, or on the line of the nearest key above it (a flow mapping). */
function commentOf(comments: Map<string, string>, keyPath: string): string {
  const parts = keyPath.split('.');
  for (let n = parts.length; n > 0; n--) {
    const comment = comments.get(parts.slice(0, n).join('.'));
    if (comment !== undefined) return comment;
  }
  return '';
}

describe('the README config example', () => {
  const blocks = configBlocks();
  const defaults = ConfigFileSchema.parse({});

  it('has a config block, which the config schema accepts', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(ConfigFileSchema.safeParse(parse(block)).error).toBeUndefined();
  });

  it('shows the schema default wherever it sets a key that has one, and claims no default that does not exist', () => {
    const wrong: string[] = [];
    for (const block of blocks) {
      const comments = commentsByPath(block);
      for (const [keyPath, value] of leaves(parse(block))) {
        const comment = commentOf(comments, keyPath);
        const example = /\be\.g\.|\bexample\b/i.test(comment);
        const fallback = at(defaults, keyPath);
        if (fallback !== undefined && !example && JSON.stringify(fallback) !== JSON.stringify(value)) {
          wrong.push(`${keyPath}: README ${JSON.stringify(value)}, default ${JSON.stringify(fallback)}`);
        }
        if (fallback === undefined && /\bdefault\b/i.test(comment) && !/\bno default\b/i.test(comment)) {
          wrong.push(`${keyPath}: README calls ${JSON.stringify(value)} a default, but it has none`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
