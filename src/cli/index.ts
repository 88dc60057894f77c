export { cliHelpSnapshot, runCli, VERSION } from './main.js';
export type { CliIo } from './cli-io.js';
