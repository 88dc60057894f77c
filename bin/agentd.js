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
// Exit once stdout and stderr are flushed (a slow pipe reader must get everything), without
// waiting on idle keep-alive sockets of model providers.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
