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
import { build } from 'esbuild';

const started = Date.now();
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
    external: [
      // Native addons: their binaries are found relative to the package.
      'better-sqlite3',
      'sqlite-vec',
      // The embedding model's packages load TensorFlow.js and the weights by path in a worker.
      '@energetic-ai/*',
      // Loaded on demand, in a worker, only for exact token counts (a few MB of tables).
      'gpt-tokenizer',
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
console.log(`agentd: built dist/ in ${Date.now() - started} ms`);
