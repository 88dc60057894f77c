import { AgentdError } from '../core/errors.js';
import './cli-error-codes.js';
import type { CliIo, SecretInput } from './cli-io.js';

/** The most a piped secret may be: far above any key, far below anything that hurts. */
const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * Reads a secret: on a terminal, a prompt on stderr with echo off (raw mode, nothing written back);
 * from a pipe, everything up to EOF. One trailing newline (what `echo` adds) is removed.
 */
export async function readSecretInput(io: CliIo, prompt: string): Promise<string> {
  const input = io.stdin;
  if (input === undefined) {
    throw new AgentdError({ code: 'cli.usage', message: 'no input to read the secret from; pipe it in' });
  }
  const text = input.isTTY && input.setRawMode ? await promptHidden(io, input, prompt) : await readAll(input);
  return text.replace(/\r?\n$/, '');
}

async function readAll(input: SecretInput): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) {
      throw new AgentdError({ code: 'cli.usage', message: `the input is over ${MAX_INPUT_BYTES} bytes` });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A no-echo prompt: the terminal in raw mode, characters collected until Enter; Ctrl-C aborts. */
function promptHidden(io: CliIo, input: SecretInput, prompt: string): Promise<string> {
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: AgentdError): void => {
      input.setRawMode?.(false);
      input.off?.('data', onData);
      input.pause?.();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') return done(new AgentdError({ code: 'cli.usage', message: 'cancelled' }));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.setRawMode?.(true);
    input.resume?.();
    input.on?.('data', onData);
  });
}
