import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { MAX_REDACT_CHARACTERS, redactPii } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';

/** A UTF-8 file of the largest accepted text is at most this many bytes (3 per UTF-16 unit). */
const MAX_BYTES = MAX_REDACT_CHARACTERS * 3;

/** `agentd redact [--json] [FILE|-]`: prints the text with personal data and credentials masked. */
export function registerRedact(program: Command, cli: CliContext): void {
  program
    .command('redact')
    .description(redactPii.description)
    .argument('[file]', 'the file to read; - or nothing reads standard input')
    .option('--json', 'print {"findings":[{"type","start","end","text"}],"redacted"}')
    .action(async (file: string | undefined, options: { json?: boolean }) => {
      const text = file === undefined || file === '-' ? await readStdin(cli) : await readTextFile(cli, file);
      const result = await cli.invoke(redactPii, { text });
      cli.io.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : result.redacted);
    });
}

async function readTextFile(cli: CliContext, file: string): Promise<string> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) =>
    cli.usageError(`${file}: cannot read it (${error.code ?? error.message})`),
  );
  if (!info.isFile()) cli.usageError(`${file}: not a regular file`);
  if (info.size > MAX_BYTES)
    cli.usageError(`${file}: larger than the ${MAX_REDACT_CHARACTERS}-character limit`);
  return readFile(file, 'utf8');
}

async function readStdin(cli: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BYTES)
      cli.usageError(`standard input: larger than the ${MAX_REDACT_CHARACTERS}-character limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
