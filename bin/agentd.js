#!/usr/bin/env node
// The CLI entry: runs the bundle that `npm ci` / `npm install` build (the `prepare` script).
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';

// The reader went away (`agentd tasks list | head -1`): exit quietly, as coreutils do, instead of a
// stack trace for "Unhandled 'error' event" (the same as src/cli/exit-on-broken-pipe.ts, which the
// bundle is not loaded yet to provide).
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

const args = process.argv.slice(2);
// Answered without loading the bundle, which costs a few hundred ms.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}

// `--help` of the program or of a command (`agentd tasks list --help`): printed from dist/help.json,
// which the build takes from the bundle, without loading the bundle. Not on a terminal narrower
// than the 80 columns the texts are wrapped at; anything else goes to the bundle.
const last = args.at(-1);
if ((last === '--help' || last === '-h') && !(process.stdout.isTTY && process.stdout.columns < 80)) {
  let texts;
  try {
    texts = JSON.parse(readFileSync(new URL('../dist/help.json', import.meta.url), 'utf8'));
  } catch {
    // No snapshot (an older build): the bundle prints help.
  }
  const key = args.slice(0, -1).join(' ');
  if (texts && Object.hasOwn(texts, key) && typeof texts[key] === 'string') {
    await new Promise((resolve) => process.stdout.write(texts[key], resolve));
    process.exit(0);
  }
}

// Node 22.1+ caches compiled code between runs (Node 20 has no such cache; a no-op there).
module.enableCompileCache?.();

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    'agentd: dist/cli.js is missing; run `npm run build` (npm ci and npm install run it)\n',
  );
  process.exit(1);
}
const { runCli } = await import(bundle.href);
const code = await runCli(args);
// Exit once stdout and stderr are flushed (a slow pipe reader must get everything), without
// waiting on idle keep-alive sockets of model providers.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
