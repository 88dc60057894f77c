import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntimeOptions } from '../../testing/test-runtime.js';
import type { CliIo } from '../cli-io.js';
import { runCli } from '../main.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = createTestRuntimeOptions({});
  cleanups.push(() => env.cleanup());
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(argv, { io, runtime: env.options });
  return { code, stdout, stderr };
}

function file(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentd-redact-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ticket.txt');
  writeFileSync(path, content);
  return path;
}

describe('agentd redact', () => {
  const text = 'Card 4111 1111 1111 1111, mail ana@example.org.\n';

  it('prints the file with its findings masked', async () => {
    const run = await cli(['redact', file(text)]);
    expect(run).toMatchObject({ code: 0, stdout: 'Card [PAYMENT_CARD_1], mail [EMAIL_1].\n' });
  });

  it('prints the findings and the masked text with --json', async () => {
    const run = await cli(['redact', '--json', file(text)]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      findings: [
        { type: 'payment-card', start: 5, end: 24, text: '4111 1111 1111 1111' },
        { type: 'email', start: 31, end: 46, text: 'ana@example.org' },
      ],
      redacted: 'Card [PAYMENT_CARD_1], mail [EMAIL_1].\n',
    });
  });

  it('names a file it cannot read, with exit 2 and no stack', async () => {
    const run = await cli(['redact', '/nonexistent/ticket.txt']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('/nonexistent/ticket.txt: cannot read it (ENOENT)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
