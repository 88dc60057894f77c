#!/usr/bin/env node
// The CLI entry: runs the bundle that `npm ci` / `npm install` build (the `prepare` script).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    'agentd: dist/cli.js is missing; run `npm run build` (npm ci and npm install run it)\n',
  );
  process.exit(1);
}
const { runCli } = await import(bundle.href);
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Let stdout drain, but do not wait on idle keep-alive sockets of model providers.
setTimeout(() => process.exit(code), 500).unref();
