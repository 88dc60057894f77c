import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo, SecretInput } from './cli-io.js';
import { readSecretInput } from './read-secret-input.js';

/** A terminal: raw mode switchable, keystrokes delivered as data events. */
function fakeTerminal(): SecretInput & { type(text: string): void; raw: boolean[] } {
  const events = new EventEmitter();
  const raw: boolean[] = [];
  return {
    isTTY: true,
    raw,
    setRawMode: (mode: boolean) => raw.push(mode),
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    pause: () => undefined,
    resume: () => undefined,
    type: (text: string) => events.emit('data', Buffer.from(text)),
    [Symbol.asyncIterator]: () => {
      throw new Error('a terminal is not read to its end');
    },
  };
}

function io(stdin: SecretInput | undefined): { io: CliIo; written: () => string } {
  let written = '';
  return {
    io: {
      stdout: { write: (s: string) => (written += s) },
      stderr: { write: (s: string) => (written += s) },
      ...(stdin ? { stdin } : {}),
    },
    written: () => written,
  };
}

describe('readSecretInput', () => {
  it('reads a pipe to its end and drops one trailing newline', async () => {
    const { io: cli } = io(Readable.from(['sk-', 'value\n']));
    expect(await readSecretInput(cli, 'value: ')).toBe('sk-value');
  });

  it('prompts on a terminal with echo off: nothing typed is written back', async () => {
    const terminal = fakeTerminal();
    const { io: cli, written } = io(terminal);
    const reading = readSecretInput(cli, 'value of K (not shown): ');
    terminal.type('sk-secx');
    terminal.type('\u007f');
    terminal.type('ret\r');
    expect(await reading).toBe('sk-secret');
    expect(written()).toBe('value of K (not shown): \n');
    expect(terminal.raw).toEqual([true, false]);
  });

  it('stops on Ctrl-C without a value', async () => {
    const terminal = fakeTerminal();
    const { io: cli } = io(terminal);
    const reading = readSecretInput(cli, '> ');
    terminal.type('abc\u0003');
    await expect(reading).rejects.toMatchObject({ code: 'cli.usage', message: 'cancelled' });
    expect(terminal.raw).toEqual([true, false]);
  });
});
