// Bundles the TypeScript sources into dist/ with esbuild (dependencies stay external), so the
// CLI starts without a TypeScript loader. Run by `npm run build` and by `prepare` on npm ci.
import { build } from 'esbuild';

const started = Date.now();
await build({
  entryPoints: { cli: 'src/cli/index.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Code splitting keeps dynamically imported provider SDKs out of start-up.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`agentd: built dist/ in ${Date.now() - started} ms`);
