// Lint config. The import zones below are the dependency rule of docs/architecture.md ("imports point
// down only"); src/architecture.test.ts asserts the same rules without eslint, so disabling lint does not
// disable them. Keep the two in step.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Domain and contract folders: they may not reach up into composition, operations or interfaces. */
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

/** Folders of concrete adapters: only the composition root (src/runtime/) wires them in. */
const ADAPTERS = [
  'models/providers',
  'store/sqlite',
  'store/postgres',
  'trace/exporters',
  'agents/adapters',
  'executor/dbos',
];

/** Folders allowed to import adapters besides the adapters themselves (test support is exempt below). */
const ADAPTER_IMPORTERS = ['runtime', 'testing'];

const INTERFACES = ['server', 'mcp', 'cli'];

/**
 * Globs for every file under `base` except those under `excluded` (folders relative to `base`, any depth).
 * import-x matches targets with minimatch, which has no "all but" for paths, hence one extglob per level.
 */
function srcExcept(excluded, base = 'src') {
  // top folder -> its excluded subfolders, or 'all' when the whole folder is excluded
  const byTop = new Map();
  for (const folder of excluded) {
    const [top, ...rest] = folder.split('/');
    const previous = byTop.get(top) ?? [];
    byTop.set(top, rest.length === 0 || previous === 'all' ? 'all' : [...previous, rest.join('/')]);
  }
  const globs = [`${base}/*`, `${base}/!(${[...byTop.keys()].join('|')})/**`];
  // A partly excluded folder: its other files and subfolders are still targets.
  for (const [top, nested] of byTop) if (nested !== 'all') globs.push(...srcExcept(nested, `${base}/${top}`));
  return globs;
}

/** The project folder: lint zones are absolute paths below it. */
const ROOT = import.meta.dirname;

const under = (folders) => folders.map((folder) => `src/${folder}/**`);

const zones = [
  {
    target: 'src/core/**',
    from: ['src/*', 'src/!(core)/**'],
    message: 'src/core is the base layer and imports nothing else from src/.',
  },
  {
    target: 'src/config/**',
    from: 'src/**',
    // import-x resolves `target` and `from` against basePath but matches glob exceptions as written.
    except: ['src/core/**', 'src/config/**', 'src/*/*-config.ts'].map((glob) => `${ROOT}/${glob}`),
    message: 'src/config may import only src/core and the domains’ *-config.ts schemas.',
  },
  {
    target: under(DOMAIN),
    from: under(['pipeline', 'runtime', 'operations', ...INTERFACES]),
    message:
      'Domain code may not import pipeline/, runtime/, operations/ or interfaces (imports point down only).',
  },
  {
    target: 'src/pipeline/**',
    from: under(['runtime', 'operations', ...INTERFACES]),
    message:
      'pipeline/ is composed from the domains; the composition root, operations and interfaces sit above it.',
  },
  {
    target: 'src/runtime/**',
    from: under(['operations', ...INTERFACES]),
    message: 'runtime/ is the composition root; operations and interfaces sit above it.',
  },
  {
    target: 'src/operations/**',
    from: under(INTERFACES),
    message: 'operations/ may not import the interfaces built on top of it.',
  },
  // One zone per adapter folder, so files inside an adapter folder may import each other.
  ...ADAPTERS.map((adapter) => ({
    target: srcExcept([...ADAPTER_IMPORTERS, adapter]),
    from: `src/${adapter}/**`,
    message: 'Only src/runtime/ (the composition root) imports concrete adapters; use the contract instead.',
  })),
  {
    target: under(INTERFACES),
    from: ['src/store/**', 'src/models/providers/**'],
    message: 'Interfaces never touch storage or providers; go through operations/ and the runtime.',
  },
  {
    target: under(INTERFACES),
    from: 'src/config/load-config.ts',
    message: 'Interfaces get their config through runtime/ and operations/, not by loading it.',
  },
];

export default defineConfig(
  globalIgnores([
    '**/node_modules/**',
    '**/dist/**',
    '**/coverage/**',
    'dashboard/build/**',
    'dashboard/.vite/**',
    'dashboard/.next/**',
    'dashboard/out/**',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      // Node globals for the plain .js files (bin/, this config); TypeScript files get them from @types/node.
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.cts', '.mts', '.js', '.jsx', '.cjs', '.mjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.cts', '.mts'] },
      // Pinned to resolvers written in JavaScript: newer ones need native platform packages that this
      // registry mirror does not carry for every platform, which breaks `npm ci` (see docs/decisions/0007).
      'import-x/resolver': { typescript: { project: `${ROOT}/tsconfig.test.json` } },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    // Tests and test support wire real adapters together on purpose.
    files: ['**/*.test.ts', 'src/testing/**', 'bench/**'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
);
