// Setup file of the `unit` Vitest project (vitest.config.ts): a unit test that opens a socket, makes an
// HTTP request or starts a child process fails at once, saying where such a test belongs. The split is
// then enforced rather than remembered: end-to-end tests are the files named `*.e2e.test.ts`.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

function refuse(what: string): never {
  throw new Error(
    `a unit test may not ${what}; a test that needs to is end-to-end: name its file *.e2e.test.ts (vitest.config.ts)`,
  );
}

const CHILD_PROCESS_FUNCTIONS = [
  'spawn',
  'spawnSync',
  'exec',
  'execSync',
  'execFile',
  'execFileSync',
  'fork',
];
for (const name of CHILD_PROCESS_FUNCTIONS) {
  Reflect.set(childProcess, name, () => refuse(`start a child process (child_process.${name})`));
}
// Every TCP or IPC connection (http, fetch, database drivers) and every listening server goes through these.
net.Socket.prototype.connect = () => refuse('open a network connection');
net.Server.prototype.listen = () => refuse('listen on a socket');
globalThis.fetch = (input) => refuse(`make an HTTP request (fetch ${String(input)})`);
// Named ESM imports of the built-ins (`import { spawn } from 'node:child_process'`) see the replacements too.
syncBuiltinESMExports();
