// Every error code is declared once, in its domain's *-error-codes.ts (ADR 0017). These tests read
// the declarations, check them, and check that a module naming a code loads the table declaring it:
// the category of an error comes from the table at run time, so an unloaded table would go unnoticed.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from './cli/exit-code.js';
import {
  AgentdError,
  CORE_ERROR_CODES,
  ERROR_CATEGORIES,
  categoryOf,
  endsTask,
  restoreError,
  stopsAgent,
  toAgentdError,
} from './core/errors.js';
import type { ErrorCategory, ErrorCode, ErrorCodeTable } from './core/errors.js';
import { httpStatusOf } from './server/error-response.js';

const SRC = path.dirname(fileURLToPath(import.meta.url));

/** Every non-test .ts file under src/ (test support in src/testing/ included), relative to src/ in '/' form. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const absolute = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(absolute);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        files.push(path.relative(SRC, absolute).split(path.sep).join('/'));
      }
    }
  };
  walk(SRC);
  return files.sort();
}

/** The text without comment lines, so prose naming a code is not read as a use of it. */
function withoutComments(text: string): string {
  return text
    .split('\n')
    .map((line) => (/^\s*(\/\/|\/\*|\*)/.test(line) ? '' : line.replace(/\s\/\/.*$/, '')))
    .join('\n');
}

/** The src-relative files a file imports at run time (type-only imports are erased and do not count). */
function runtimeImports(file: string, text: string): string[] {
  const patterns = [
    /^[ \t]*(?:import|export)(?![ \t]+type\b)\b[^;'"`]*?\bfrom\s*['"](\.[^'"\n]+)['"]/gm,
    /^[ \t]*import\s*['"](\.[^'"\n]+)['"]/gm,
  ];
  const found: string[] = [];
  for (const pattern of patterns) {
    for (const match of withoutComments(text).matchAll(pattern)) {
      const specifier = match[1] ?? '';
      found.push(
        path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts'),
      );
    }
  }
  return found;
}

/** The declared codes a file names: as string literals, and as `notFound('kind', …)`. */
function namedCodes(text: string, declared: ReadonlyMap<string, string>): string[] {
  const source = withoutComments(text);
  const names = new Set<string>();
  for (const match of source.matchAll(/(['"`])([a-z_]+\.[a-z_]+)\1/g)) names.add(match[2] ?? '');
  for (const match of source.matchAll(/\bnotFound\(\s*'([a-z_]+)'/g)) names.add(`${match[1]}.not_found`);
  return [...names].filter((name) => declared.has(name));
}

/** The files declaring error codes, each with its tables (exports named `*_ERROR_CODES`). */
async function loadTables(files: readonly string[]): Promise<Map<string, ErrorCodeTable[]>> {
  const tables = new Map<string, ErrorCodeTable[]>();
  for (const file of files.filter((f) => f.endsWith('-error-codes.ts') || f === 'core/errors.ts')) {
    const module = (await import(pathToFileURL(path.join(SRC, file)).href)) as Record<string, unknown>;
    tables.set(
      file,
      Object.entries(module)
        .filter(([name]) => name.endsWith('_ERROR_CODES'))
        .map(([, table]) => table as ErrorCodeTable),
    );
  }
  return tables;
}

// Codes built from a template rather than written out: `${kind}.not_found` in agents/load-spec-file.ts.
const BUILT_FROM_TEMPLATES = new Set(['agent.not_found', 'team.not_found']);

describe('error codes', async () => {
  const files = sourceFiles();
  const texts = new Map(files.map((file) => [file, readFileSync(path.join(SRC, file), 'utf8')]));
  const tables = await loadTables(files);
  /** code -> the file declaring it; a code declared twice keeps its first file and is reported below. */
  const declaredIn = new Map<string, string>();
  const declaredTwice: string[] = [];
  for (const [file, fileTables] of tables) {
    for (const table of fileTables) {
      for (const code of Object.keys(table)) {
        if (declaredIn.has(code)) declaredTwice.push(`${code} (${declaredIn.get(code)} and ${file})`);
        else declaredIn.set(code, file);
      }
    }
  }
  const all = [...tables.values()].flat();

  it('finds a table in every *-error-codes.ts file, and core’s own', () => {
    expect(tables.size).toBeGreaterThan(10);
    expect(tables.get('core/errors.ts')).toEqual([CORE_ERROR_CODES]);
    for (const [file, fileTables] of tables) expect(fileTables, file).toHaveLength(1);
  });

  it('declares every code exactly once across the domains', () => {
    expect(declaredTwice).toEqual([]);
  });

  it('names codes domain.reason in lower snake case, each with a known category', () => {
    for (const table of all) {
      for (const [code, category] of Object.entries(table)) {
        expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*$/);
        expect(Object.keys(ERROR_CATEGORIES), code).toContain(category);
        expect(categoryOf(code), code).toBe(category);
      }
    }
  });

  it('has no declared code that no source file produces', () => {
    // A table names each of its codes once to declare it; only a further mention produces the code.
    const named = new Set<string>();
    for (const [file, text] of texts) {
      for (const code of namedCodes(text, declaredIn)) {
        const mentions = withoutComments(text).split(`'${code}'`).length - 1;
        if (declaredIn.get(code) !== file || mentions > 1) named.add(code);
      }
    }
    const unused = [...declaredIn.keys()].filter(
      (code) => !named.has(code) && !BUILT_FROM_TEMPLATES.has(code),
    );
    expect(unused).toEqual([]);
  });

  it('loads the declaring table wherever a code is named, so its category is known at run time', () => {
    const imports = new Map(files.map((file) => [file, runtimeImports(file, texts.get(file) ?? '')]));
    const closure = (file: string): Set<string> => {
      const reached = new Set<string>([file]);
      const queue = [file];
      for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
        for (const imported of imports.get(next) ?? []) {
          if (!reached.has(imported)) {
            reached.add(imported);
            queue.push(imported);
          }
        }
      }
      return reached;
    };
    const missing = files.flatMap((file) => {
      const reached = closure(file);
      return namedCodes(texts.get(file) ?? '', declaredIn)
        .filter((code) => !reached.has(declaredIn.get(code) ?? ''))
        .map((code) => `src/${file} names '${code}' but does not load src/${declaredIn.get(code)}`);
    });
    expect(missing).toEqual([]);
  });
});

describe('error categories', () => {
  /** One declared code of each category, with the HTTP status and CLI exit code it must get. */
  const EXAMPLES: Record<ErrorCategory, { code: ErrorCode; status: number; exitCode: 1 | 2 }> = {
    invalid: { code: 'config.invalid', status: 400, exitCode: 2 },
    not_found: { code: 'task.not_found', status: 404, exitCode: 2 },
    conflict: { code: 'store.conflict', status: 409, exitCode: 2 },
    unauthenticated: { code: 'auth.required', status: 401, exitCode: 2 },
    forbidden: { code: 'security.path_outside_workspace', status: 403, exitCode: 2 },
    too_large: { code: 'request.too_large', status: 413, exitCode: 2 },
    unsupported: { code: 'request.unsupported_media_type', status: 415, exitCode: 2 },
    refused: { code: 'memory.refused', status: 422, exitCode: 2 },
    guard: { code: 'loop.detected', status: 400, exitCode: 2 },
    halt: { code: 'budget.exceeded', status: 400, exitCode: 2 },
    rate_limited: { code: 'auth.rate_limited', status: 429, exitCode: 2 },
    upstream: { code: 'model.timeout', status: 502, exitCode: 1 },
    unavailable: { code: 'task.queue_full', status: 503, exitCode: 1 },
    system: { code: 'internal.error', status: 500, exitCode: 1 },
  };

  it.each(Object.entries(EXAMPLES))(
    '%s: HTTP status and exit code follow from the category',
    (category, example) => {
      const error = new AgentdError({ code: example.code, message: 'm' });
      expect(error.category).toBe(category);
      expect(httpStatusOf(error)).toBe(example.status);
      expect(exitCodeOf(error)).toBe(example.exitCode);
    },
  );

  it('stops the agent on guard and halt, and ends the task only on halt', () => {
    const of = (code: ErrorCode) => new AgentdError({ code, message: 'm' });
    expect([stopsAgent(of('loop.detected')), endsTask(of('loop.detected'))]).toEqual([true, false]);
    expect([stopsAgent(of('task.suspended')), endsTask(of('task.suspended'))]).toEqual([true, true]);
    expect([stopsAgent(of('tool.invalid_input')), endsTask(of('tool.invalid_input'))]).toEqual([
      false,
      false,
    ]);
    expect([stopsAgent(of('model.timeout')), endsTask(of('model.timeout'))]).toEqual([false, false]);
  });

  it('makes anything unexpected a system error, and an undeclared recorded code too', () => {
    const unexpected = toAgentdError(new TypeError('x is undefined'));
    expect([unexpected.code, unexpected.category, unexpected.fault]).toEqual([
      'internal.error',
      'system',
      'system',
    ]);
    expect(toAgentdError('thrown string').category).toBe('system');
    expect(restoreError({ code: 'budget.exceeded', message: 'over' }).category).toBe('halt');
    expect(restoreError({ code: 'plugin.gone', message: 'from an older agentd' }).category).toBe('system');
  });

  it('keeps an explicit category where the situation decides it, and the serialised form unchanged', () => {
    const error = new AgentdError({
      code: 'topology.node_failed',
      category: 'invalid',
      message: 'm',
      path: 'a.b',
    });
    expect(error.category).toBe('invalid');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'topology.node_failed',
      message: 'm',
      path: 'a.b',
    });
  });
});
