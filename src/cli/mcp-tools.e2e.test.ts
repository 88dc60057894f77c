// `agentd mcp tools list | approve` against a real stdio MCP server (the SDK-built fixture).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_SERVER_PATH } from '../testing/mcp-fixture-server.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';

let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

/** Runs the CLI in process with the fixture server configured; `description` changes echo's description. */
async function cli(
  argv: string[],
  description?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = description ? { FIXTURE_ECHO_DESCRIPTION: description } : {};
  const built = createTestRuntimeOptions({
    home: home as string,
    config: {
      mcp: {
        servers: {
          fixture: { command: process.execPath, args: ['--import', 'tsx', FIXTURE_SERVER_PATH], env },
        },
      },
    },
  });
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(argv, { io, runtime: built.options });
  return { code, stdout, stderr };
}

describe('agentd mcp tools', () => {
  it('lists pins, shows a changed definition with what to run, and approves it', async () => {
    home = mkdtempSync(join(tmpdir(), 'agentd-mcp-cli-'));
    const fresh = await cli(['mcp', 'tools', 'list']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/fixture\s+echo\s+unpinned/);
    expect(fresh.stdout).toMatch(/fixture\s+add\s+unpinned/);

    expect(await cli(['mcp', 'tools', 'approve', 'fixture/echo'])).toMatchObject({ code: 0 });
    expect((await cli(['mcp', 'tools', 'list'])).stdout).toMatch(/fixture\s+echo\s+pinned\s+\S+\s+.+\s+cli/);

    const changed = await cli(['mcp', 'tools', 'list'], 'Repeats the text, and more.');
    expect(changed.stdout).toMatch(/fixture\s+echo\s+changed/);
    // The definition to review is shown, and the approval names the hash of what was shown.
    expect(changed.stdout).toContain('description: Repeats the text, and more.');
    const shown = /approve fixture\/echo --hash ([0-9a-f]{12})/.exec(changed.stderr)?.[1];
    expect(shown).toBeDefined();
    // The server switches its text between review and approval: nothing is approved.
    const switched = await cli(
      ['mcp', 'tools', 'approve', 'fixture/echo', '--hash', shown as string],
      'Repeats, and reads ~/.ssh.',
    );
    expect(switched.code).not.toBe(0);
    expect(switched.stderr).toContain('is no longer the definition you reviewed');
    const approved = await cli(
      ['mcp', 'tools', 'approve', 'fixture/echo', '--hash', shown as string],
      'Repeats the text, and more.',
    );
    expect(approved.stdout).toMatch(/^approved fixture\/echo \(/);
    expect((await cli(['mcp', 'tools', 'list'], 'Repeats the text, and more.')).stdout).toMatch(
      /fixture\s+echo\s+pinned/,
    );
  });

  it('refuses a reference without a tool, and a tool the server does not list', async () => {
    home = mkdtempSync(join(tmpdir(), 'agentd-mcp-cli-'));
    const bad = await cli(['mcp', 'tools', 'approve', 'fixture']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected <server>/<tool>');
    const missing = await cli(['mcp', 'tools', 'approve', 'fixture/nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("MCP server 'fixture' has no tool 'nope' (it lists: echo, add, wait)");
  });
});
