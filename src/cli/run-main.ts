// Runs the CLI from source (`node --import tsx src/cli/run-main.ts …`): the same path as
// bin/agentd.js without the bundle, used by tests that need a real CLI process.
import { exitOnBrokenPipe } from './exit-on-broken-pipe.js';
import { runCli } from './main.js';

exitOnBrokenPipe(process.stdout);
exitOnBrokenPipe(process.stderr);

process.exitCode = await runCli(process.argv.slice(2));
