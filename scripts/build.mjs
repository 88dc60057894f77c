// Bundles the TypeScript sources into dist/ with esbuild, so the CLI starts without a TypeScript
// loader. Run by `npm run build` and by `prepare` on npm ci.
//
// Two builds:
// - dist/cli.js (bin/agentd.js runs it) bundles its pure-JavaScript dependencies too. Resolving and
//   compiling ~700 small module files (zod, yaml, ajv, hono, commander, cockatiel, …) cost about as
//   much as evaluating them; one file per chunk takes ~200 ms off every start (docs/benchmarks.md,
//   "start-up"). Native addons and packages that read files beside their own code stay external.
// - dist/index.js (the library entry) keeps every dependency external, so an application shares one
//   copy of zod (its schemas cross the API) and of everything else with agentd.
// Code splitting keeps modules that are imported dynamically (provider SDKs, the embedding model,
// the HTTP server) out of start-up.
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * zod re-exports its error messages in ~45 languages (`z.locales`, ~330 KB) and uses only English
 * unless told otherwise; agentd never switches. The CLI bundle gets a `locales` with English alone,
 * so start-up does not compile the rest.
 */
const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: 'zod-locales-en', namespace: 'agentd-zod-locales', pluginData: args.resolveDir }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'agentd-zod-locales' }, (args) => ({
      contents: "export { default as en } from '../locales/en.js';",
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};

const started = Date.now();
// Chunk names carry content hashes: without a clean slate, every build would leave the last one's.
rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist',
  splitting: true,
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'src/cli/index.ts' },
    chunkNames: 'chunks/cli-[name]-[hash]',
    plugins: [englishOnlyZodLocales],
    external: [
      // Native addons: their binaries are found relative to the package.
      'better-sqlite3',
      'sqlite-vec',
      // The embedding model's packages load TensorFlow.js and the weights by path in a worker.
      '@energetic-ai/*',
      // Loaded on demand, in a worker, only for exact token counts (a few MB of tables).
      'gpt-tokenizer',
      // Postgres and DBOS load only with `store.url` / `executor.engine: dbos`; DBOS requires optional
      // telemetry packages by name, and pg an optional native binding.
      'pg',
      '@dbos-inc/*',
      // Optional peers of the agent kinds, loaded from the user's install when a spec uses the kind.
      '@langchain/*',
      '@openai/agents',
      '@openai/agents-*',
      'openai',
      'tsx',
      'tsx/*',
    ],
    // Bundled CommonJS modules call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __agentdCreateRequire } from 'node:module'; const require = __agentdCreateRequire(import.meta.url);",
    },
  }),
  build({
    ...common,
    entryPoints: { index: 'src/index.ts' },
    chunkNames: 'chunks/[name]-[hash]',
    packages: 'external',
  }),
]);
// Every command's --help text, so bin/agentd.js answers `--help` without loading the bundle (the
// bundle costs a few hundred ms to load). Taken from the bundle just built, so it cannot disagree
// with it; without it (the import failed) bin/agentd.js loads the bundle for help as before.
try {
  const { cliHelpSnapshot } = await import(new URL('../dist/cli.js', import.meta.url).href);
  writeFileSync('dist/help.json', JSON.stringify(cliHelpSnapshot()));
} catch (error) {
  console.warn(`agentd: no dist/help.json (--help will load the bundle): ${error?.message ?? error}`);
}
console.log(`agentd: built dist/ in ${Date.now() - started} ms`);
