import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime, createTestRuntimeOptions } from '../../testing/test-runtime.js';
import type { TestRuntime } from '../../testing/test-runtime.js';
import { startServer } from '../../server/start-server.js';
import type { RunningServer } from '../../server/start-server.js';
import type { CliIo } from '../cli-io.js';
import { runCli } from '../main.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function a2aCli(args: string[], config: Record<string, unknown> = {}) {
  const env = createTestRuntimeOptions({ config });
  cleanups.push(() => env.cleanup());
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(['a2a', 'card', ...args], { io, runtime: env.options });
  return { code, stdout, stderr };
}

async function agentdServer(): Promise<{ url: string; port: number }> {
  const t: TestRuntime = await createTestRuntime();
  const server: RunningServer = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0 });
  cleanups.push(() => t.dispose());
  cleanups.push(() => server.close());
  return { url: server.url, port: Number(new URL(server.url).port) };
}

describe('agentd a2a card', () => {
  it("prints a remote agent's card, fetched through security.net", async () => {
    const { url, port } = await agentdServer();
    const net = { security: { net: { allow: ['127.0.0.1'], ports: [port] } } };
    const summary = await a2aCli([url], net);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain(`interface: JSONRPC 1.0 ${url}/v1/a2a`);
    expect(summary.stdout).toContain('streaming: yes');
    expect(summary.stdout).toContain('skill: run-task (Run a task)');

    const json = await a2aCli([url, '--json'], net);
    expect(JSON.parse(json.stdout)).toMatchObject({
      name: 'agentd',
      supportedInterfaces: [{ protocolVersion: '1.0' }],
    });
  });

  it('is refused by the SSRF guard without an allowlist entry', async () => {
    const { url } = await agentdServer();
    const refused = await a2aCli([url]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/blocked/);
  });

  it('prints no terminal escape sequences from a hostile card', async () => {
    const http = createServer((_req, res) => {
      const port = (http.address() as AddressInfo).port;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          name: 'evil\u001b]0;owned\u0007\u001b[2J',
          description: 'hi\u001b[1A\u001b[2Kagentd: all checks passed',
          version: '1',
          supportedInterfaces: [
            { url: `http://127.0.0.1:${port}/rpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
          ],
          capabilities: {},
          defaultInputModes: ['text/plain'],
          defaultOutputModes: ['text/plain'],
          skills: [{ id: 'x\u009b31m', name: 'X', description: 'x', tags: [] }],
        }),
      );
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const port = (http.address() as AddressInfo).port;
    const shown = await a2aCli([`http://127.0.0.1:${port}`], {
      security: { net: { allow: ['127.0.0.1'], ports: [port] } },
    });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('evil]0;owned[2J');
    // eslint-disable-next-line no-control-regex
    expect(shown.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
