import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTeamFile } from '../agents/index.js';
import { startServer } from '../server/index.js';
import type { RunningServer } from '../server/index.js';
import { ROOT } from '../testing/fresh-bundle.js';
import { startKindsGatewayFixture, tripReply } from '../testing/kinds-gateway-fixture.js';
import type { KindsGatewayFixture } from '../testing/kinds-gateway-fixture.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';

// The mixed team of examples/frameworks (a native agent, the LangGraph agent and the Python agent in
// one sequential topology) through the CLI and over HTTP, every model call through agentd's gateway
// to the fake OpenAI-compatible server.

const PROJECT = join(ROOT, 'examples', 'frameworks');
const TEAM = join(PROJECT, 'mixed-team.yaml');
let fixture: KindsGatewayFixture | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await fixture?.close();
  server = undefined;
  fixture = undefined;
});

describe('the mixed framework team', () => {
  it('runs with agentd run (the run opens a loopback gateway for its agents)', async () => {
    fixture = await startKindsGatewayFixture({
      script: (request) => tripReply(request),
      projectDir: PROJECT,
    });
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    };
    const code = await runCli(['run', '--team', TEAM, 'Plan a day trip to Oslo.'], {
      io,
      runtime: fixture.options(),
    });
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);
    expect(stdout).toContain('- Oslo\n- rain\n- umbrella');
    expect(fixture.chats()).toHaveLength(4);
  });

  it('runs over HTTP, with agentd serve as the gateway', async () => {
    fixture = await startKindsGatewayFixture({
      script: (request) => tripReply(request),
      projectDir: PROJECT,
    });
    server = await startServer({ runtime: fixture.runtime, host: '127.0.0.1', port: 0 });
    const team = await loadTeamFile(TEAM);
    const response = await fetch(`${server.url}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Plan a day trip to Oslo.', team }),
    });
    const created = (await response.json()) as { id: string };
    const task = await fixture.runtime.tasks.wait(created.id);
    expect(task).toMatchObject({ status: 'succeeded', output: '- Oslo\n- rain\n- umbrella' });
    expect(fixture.chats()).toHaveLength(4);
  });
});
