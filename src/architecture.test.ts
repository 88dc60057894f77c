// The dependency rule of the design ("imports point down only"), checked by reading the sources, so it holds
// even where lint is skipped or disabled. eslint.config.js states the same zones for editors; keep both in step.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));

const DOMAIN = [
  'router',
  'budget',
  'tools',
  'agents',
  'topology',
  'executor',
  'judge',
  'forge',
  'memory',
  'security',
  'trace',
  'models',
  'store',
];
const INTERFACES = ['server', 'mcp', 'cli'];
const ADAPTERS = [
  'models/providers',
  'store/sqlite',
  'store/postgres',
  'trace/exporters',
  'agents/adapters',
  'executor/dbos',
];

/** A source file, with its path relative to src/ in '/' form (`tools/index.ts`). */
interface SourceFile {
  file: string;
  text: string;
}

/** An import found in a file: the specifier as written and the line it is on. */
interface FoundImport {
  specifier: string;
  line: number;
}

/** Every non-test .ts file under src/. Test files and src/testing/ wire real adapters together on purpose. */
function sourceFiles(): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const absolute = path.join(directory, entry.name);
      const file = path.relative(SRC, absolute).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (file !== 'testing' && entry.name !== 'node_modules') walk(absolute);
      } else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        files.push({ file, text: readFileSync(absolute, 'utf8') });
      }
    }
  };
  walk(SRC);
  return files.sort((a, b) => (a.file < b.file ? -1 : 1));
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** The text with comment lines blanked (line numbers kept), so prose about `process.env` or SQL is not flagged. */
function withoutCommentLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (/^\s*(\/\/|\/\*|\*)/.test(line) ? '' : line))
    .join('\n');
}

/**
 * The module specifiers a file imports: static `import … from`, `export … from`, side-effect `import '…'` and
 * dynamic `import('…')`. Static forms must start a line, which keeps examples inside JSDoc out.
 */
function findImports(text: string): FoundImport[] {
  const patterns = [
    /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"\n]+)['"]/gm,
    /^[ \t]*import\s*['"]([^'"\n]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  ];
  const source = withoutCommentLines(text);
  const found: FoundImport[] = [];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1] ?? '';
      // The line of the specifier itself, which for a multi-line import is its last line.
      found.push({ specifier, line: lineAt(source, match.index + match[0].lastIndexOf(specifier)) });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The src-relative `.ts` path a relative specifier points to, or undefined for packages and files outside src/. */
function resolveSpecifier(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  if (target.startsWith('../')) return undefined;
  return target.replace(/\.js$/, '.ts');
}

const topFolder = (file: string): string => file.split('/')[0] ?? '';
const isUnder = (file: string, folder: string): boolean => file.startsWith(`${folder}/`);

/** One layer rule: which importing files it covers and which imported files it forbids them. */
interface ImportRule {
  rule: string;
  covers(from: string): boolean;
  forbids(to: string): boolean;
}

const IMPORT_RULES: ImportRule[] = [
  {
    rule: 'core/ imports nothing else from src/',
    covers: (from) => isUnder(from, 'core'),
    forbids: (to) => !isUnder(to, 'core'),
  },
  {
    rule: "config/ imports only core/ and the domains' *-config.ts schemas",
    covers: (from) => isUnder(from, 'config'),
    forbids: (to) => !isUnder(to, 'core') && !isUnder(to, 'config') && !/^[^/]+\/[^/]+-config\.ts$/.test(to),
  },
  {
    rule: 'domain code never imports pipeline/, runtime/, operations/ or interfaces',
    covers: (from) => DOMAIN.includes(topFolder(from)),
    forbids: (to) => ['pipeline', 'runtime', 'operations', ...INTERFACES].includes(topFolder(to)),
  },
  {
    rule: 'pipeline/ never imports runtime/, operations/ or interfaces',
    covers: (from) => isUnder(from, 'pipeline'),
    forbids: (to) => ['runtime', 'operations', ...INTERFACES].includes(topFolder(to)),
  },
  {
    rule: 'runtime/ never imports operations/ or interfaces',
    covers: (from) => isUnder(from, 'runtime'),
    forbids: (to) => ['operations', ...INTERFACES].includes(topFolder(to)),
  },
  {
    rule: 'operations/ never imports interfaces',
    covers: (from) => isUnder(from, 'operations'),
    forbids: (to) => INTERFACES.includes(topFolder(to)),
  },
  ...ADAPTERS.map((adapter): ImportRule => ({
    rule: `only runtime/ imports concrete adapters (${adapter}/)`,
    // Files inside an adapter folder may import each other.
    covers: (from) => !isUnder(from, 'runtime') && !isUnder(from, adapter),
    forbids: (to) => isUnder(to, adapter),
  })),
  {
    rule: 'interfaces never import store/, models/providers/ or config/load-config.ts',
    covers: (from) => INTERFACES.includes(topFolder(from)),
    forbids: (to) =>
      isUnder(to, 'store') || isUnder(to, 'models/providers') || to === 'config/load-config.ts',
  },
];

/** Text patterns that belong to one folder only. */
interface ContentRule {
  rule: string;
  allowedIn: readonly string[];
  patterns: RegExp[];
}

const CONTENT_RULES: ContentRule[] = [
  {
    rule: 'process.env is read only in config/',
    allowedIn: ['config'],
    patterns: [
      /\bprocess\s*(?:\?\.|\.)\s*env\b/g,
      /\bprocess\s*\[\s*['"]env['"]\s*\]/g,
      /\bimport\s*\{[^}]*\benv\b[^}]*\}\s*from\s*['"](?:node:)?process['"]/g,
    ],
  },
  {
    rule: 'SQL is written only in store/',
    // The DBOS adapter keeps its worker registry (advisory locks, heartbeats) beside the engine.
    allowedIn: ['store', 'executor/dbos'],
    // Upper case only: lower-case "select … from" is ordinary English in comments and messages.
    patterns: [
      /\bSELECT\b[^;'"`]*?\bFROM\b/g,
      /\bINSERT\s+INTO\b/g,
      /\bDELETE\s+FROM\b/g,
      /\bCREATE\s+TABLE\b/g,
    ],
  },
];

function importViolations(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const { file, text } of files) {
    for (const { specifier, line } of findImports(text)) {
      const target = resolveSpecifier(file, specifier);
      if (target === undefined) continue;
      for (const { rule, covers, forbids } of IMPORT_RULES) {
        if (covers(file) && forbids(target))
          violations.push(`src/${file}:${line} imports '${specifier}': ${rule}`);
      }
    }
  }
  return violations;
}

function contentViolations(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const { file, text } of files) {
    const source = withoutCommentLines(text);
    for (const { rule, allowedIn, patterns } of CONTENT_RULES) {
      if (allowedIn.some((folder) => isUnder(file, folder))) continue;
      for (const pattern of patterns) {
        for (const match of source.matchAll(pattern)) {
          const snippet = match[0].replace(/\s+/g, ' ').slice(0, 60);
          violations.push(`src/${file}:${lineAt(source, match.index)} '${snippet}': ${rule}`);
        }
      }
    }
  }
  return violations;
}

describe('architecture', () => {
  const files = sourceFiles();

  it('finds the sources it checks', () => {
    expect(files.map(({ file }) => file)).toContain('core/errors.ts');
    expect(files.some(({ file }) => file.endsWith('.test.ts') || isUnder(file, 'testing'))).toBe(false);
  });

  it('reads every form of import, with the line it is on', () => {
    const text = [
      "import { a } from './a.js';",
      'import {',
      '  b,',
      "} from '../b.js';",
      "export * from './c.js';",
      "import './d.js';",
      "const e = await import('./e.js');",
      "// import { f } from './f.js';",
      " * import { g } from './g.js';",
      "import type { H } from './h.js';",
    ].join('\n');
    expect(findImports(text)).toEqual([
      { specifier: './a.js', line: 1 },
      { specifier: '../b.js', line: 4 },
      { specifier: './c.js', line: 5 },
      { specifier: './d.js', line: 6 },
      { specifier: './e.js', line: 7 },
      { specifier: './h.js', line: 10 },
    ]);
  });

  it('resolves relative specifiers to src-relative .ts paths', () => {
    expect(resolveSpecifier('tools/builtin/index.ts', '../../core/errors.js')).toBe('core/errors.ts');
    expect(resolveSpecifier('tools/index.ts', 'zod')).toBeUndefined();
    expect(resolveSpecifier('tools/index.ts', 'node:fs')).toBeUndefined();
  });

  it('keeps imports pointing down the layers', () => {
    expect(importViolations(files), 'imports that break the dependency rule (file:line)').toEqual([]);
  });

  it('keeps process.env in config/ and SQL in store/', () => {
    expect(contentViolations(files), 'code outside the folder that owns it (file:line)').toEqual([]);
  });

  it('catches a forbidden import and forbidden content when they appear', () => {
    const planted: SourceFile[] = [
      { file: 'server/routes.ts', text: "import { x } from '../store/sqlite/open.js';\nconst y = 1;" },
      { file: 'core/ids.ts', text: "\nimport { z } from '../tools/index.js';" },
      { file: 'pipeline/p.ts', text: "import { r } from '../runtime/index.js';" },
      { file: 'judge/j.ts', text: "import { q } from '../pipeline/index.js';" },
      { file: 'tools/t.ts', text: 'const home = process.env.HOME;\nconst q = `SELECT id\n  FROM tasks`;' },
      { file: 'store/sqlite/q.ts', text: "const q = 'SELECT id FROM tasks';" },
    ];
    expect(importViolations(planted)).toEqual([
      "src/server/routes.ts:1 imports '../store/sqlite/open.js': only runtime/ imports concrete adapters (store/sqlite/)",
      "src/server/routes.ts:1 imports '../store/sqlite/open.js': interfaces never import store/, models/providers/ or config/load-config.ts",
      "src/core/ids.ts:2 imports '../tools/index.js': core/ imports nothing else from src/",
      "src/pipeline/p.ts:1 imports '../runtime/index.js': pipeline/ never imports runtime/, operations/ or interfaces",
      "src/judge/j.ts:1 imports '../pipeline/index.js': domain code never imports pipeline/, runtime/, operations/ or interfaces",
    ]);
    expect(contentViolations(planted)).toEqual([
      "src/tools/t.ts:1 'process.env': process.env is read only in config/",
      "src/tools/t.ts:2 'SELECT id FROM': SQL is written only in store/",
    ]);
  });
});
