import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentSpecSchema } from '../agent-spec.js';
import { createFakeAgentGateway } from '../../testing/fake-agent-gateway.js';
import { startFakeOpenAIServer } from '../../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../../testing/fake-openai-server.js';
import { createForeignAgentHarness } from '../../testing/foreign-agent-harness.js';
import { until } from '../../testing/until.js';

// The process kind with real child processes (node scripts), talking to the fake OpenAI-compatible
// server through a test-fake gateway: the protocol, events, errors, timeouts and cancellation.

const NODE = process.execPath;
let project: string;
let server: FakeOpenAIServer;
beforeEach(async () => {
  project = realpathSync(mkdtempSync(join(tmpdir(), 'agentd-process-')));
  server = await startFakeOpenAIServer({ script: [{ text: 'a haiku about rain' }] });
});
afterEach(async () => {
  await server.close();
  rmSync(project, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const path = join(project, name);
  writeFileSync(path, body);
  return path;
}

function harness(allowedCommands: string[] = [NODE], env: Record<string, string> = {}) {
  return createForeignAgentHarness({
    gateway: createFakeAgentGateway({ baseUrl: server.baseUrl, apiKey: 'task-key-1' }),
    foreign: { projectDir: project, allowedCommands, env, baseEnv: { LANG: 'C' } },
    workspace: project,
  });
}

const AGENT = `
const lines = [];
process.stdin.on('data', (c) => lines.push(c));
process.stdin.on('end', async () => {
  const input = JSON.parse(Buffer.concat(lines).toString().trim());
  console.log(JSON.stringify({ type: 'progress', message: 'asking the model' }));
  console.log('a stray print');
  console.error('debug: on stderr');
  const response = await fetch(process.env.OPENAI_BASE_URL + '/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.OPENAI_API_KEY },
    body: JSON.stringify({ model: process.env.AGENTD_MODEL, messages: [{ role: 'user', content: input.prompt }] }),
  });
  const answer = await response.json();
  const env = Object.keys(process.env).sort().join(',');
  console.log(JSON.stringify({ type: 'output', text: answer.choices[0].message.content + ' | ' + input.agent + ' | ' + env }));
});
`;

describe('the process kind', () => {
  it('runs the program with the gateway in its environment and the input on stdin', async () => {
    const path = script('agent.mjs', AGENT);
    const h = harness([NODE], { FROM_AGENTD: 'yes' });
    const agent = AgentSpecSchema.parse({
      name: 'poet',
      kind: 'process',
      command: [NODE, path],
      env: { MODE: 'short', FORWARDED: 'env:FROM_AGENTD' },
    });
    const result = await h.run(agent, { prompt: 'write a haiku' });
    expect(result.output).toBe(
      'a haiku about rain | poet | AGENTD_AGENT,AGENTD_MODEL,AGENTD_TASK_ID,AGENTD_WORKSPACE,FORWARDED,LANG,MODE,OPENAI_API_KEY,OPENAI_BASE_URL',
    );
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer task-key-1');
    expect(server.requests[0]?.body?.messages?.[0]?.content).toBe('write a haiku');
    expect(h.events.map((e) => [e.type, e.data['message'] ?? null])).toEqual([
      ['agent-progress', 'asking the model'],
      ['agent-end', null],
    ]);
    expect(h.logged).toEqual(['agent poet: stdout: a stray print', 'agent poet: debug: on stderr']);
    await h.close();
  });

  it('refuses a program agents.allowedCommands does not allow, before starting anything', async () => {
    const h = harness(['python3']);
    const agent = AgentSpecSchema.parse({ name: 'p', kind: 'process', command: [NODE, '-e', '1'] });
    await expect(h.run(agent, { prompt: 'x' })).rejects.toMatchObject({
      code: 'agent.command_not_allowed',
      message: expect.stringContaining('allowed: python3'),
    });
    await h.close();
  });

  it('fails with the stderr tail on a non-zero exit, an error line, or no output line', async () => {
    const h = harness();
    const run = (code: string) =>
      h.run(AgentSpecSchema.parse({ name: 'p', kind: 'process', command: [NODE, '-e', code] }), {
        prompt: 'x',
      });
    await expect(run('console.error("boom: no key"); process.exit(3)')).rejects.toMatchObject({
      code: 'agent.process_failed',
      message: expect.stringMatching(/exited 3[\s\S]*boom: no key/),
    });
    await expect(
      run('console.log(JSON.stringify({ type: "error", message: "quota gone" }))'),
    ).rejects.toMatchObject({
      code: 'agent.process_failed',
      message: expect.stringContaining('reported an error: quota gone'),
    });
    await expect(run('1')).rejects.toMatchObject({
      message: expect.stringContaining('without writing an {"type":"output"} line'),
    });
    await expect(run('process.stdout.write("x".repeat(1_100_000))')).rejects.toMatchObject({
      message: expect.stringContaining('longer than 1048576 characters'),
    });
    const missing = h.run(
      AgentSpecSchema.parse({ name: 'p', kind: 'process', command: ['/nonexistent/agent'] }),
      { prompt: 'x' },
    );
    const h2 = harness(['/nonexistent/agent']);
    await expect(
      h2.run(AgentSpecSchema.parse({ name: 'p', kind: 'process', command: ['/nonexistent/agent'] }), {
        prompt: 'x',
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("'/nonexistent/agent' was not found") });
    await expect(missing).rejects.toMatchObject({ code: 'agent.command_not_allowed' });
    await h.close();
    await h2.close();
  });

  it('stops a program that runs past its timeout, and kills the process group on cancel', async () => {
    const h = harness();
    const slow = AgentSpecSchema.parse({
      name: 'slow',
      kind: 'process',
      command: [NODE, '-e', 'console.error("working"); setTimeout(() => {}, 60000)'],
      timeoutMs: 300,
    });
    await expect(h.run(slow, { prompt: 'x' })).rejects.toMatchObject({
      code: 'agent.process_timeout',
      // Whether "working" made it to stderr before the kill depends on the machine's load.
      message: expect.stringContaining('timed out after 300 ms and was stopped'),
    });

    // The program starts a grandchild that would outlive it; cancelling the task ends both.
    const pidFile = join(project, 'pids');
    const parent = script(
      'parent.mjs',
      `import { spawn } from 'node:child_process';
       import { writeFileSync } from 'node:fs';
       const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
       writeFileSync(${JSON.stringify(pidFile)}, process.pid + ' ' + child.pid);
       setTimeout(() => {}, 60000);`,
    );
    const controller = new AbortController();
    const running = h.run(
      AgentSpecSchema.parse({ name: 'p', kind: 'process', command: [NODE, parent] }),
      { prompt: 'x' },
      controller.signal,
    );
    const pids = await until(() => {
      try {
        return readFileSync(pidFile, 'utf8').split(' ').map(Number);
      } catch {
        return undefined;
      }
    });
    controller.abort(new Error('cancelled by the test'));
    await expect(running).rejects.toThrow('cancelled by the test');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => pids.every((pid) => !alive(pid)));
    const spans = await h.spans();
    expect(spans.filter((s) => s.name === 'invoke_agent p').map((s) => s.status)).toHaveLength(1);
    await h.close();
  });
});

describe('a process agent and the budget', () => {
  it('stops the task for the budget when the gateway refused the call because it was spent', async () => {
    const { createBudget } = await import('../../budget/index.js');
    const budget = createBudget({
      name: 'task',
      limits: { modelCalls: 1 },
      spent: { usd: 0, tokens: 0, calls: 1 },
    });
    const h = createForeignAgentHarness({
      gateway: createFakeAgentGateway({ baseUrl: server.baseUrl }),
      foreign: { projectDir: project, allowedCommands: [NODE] },
      budget,
    });
    const agent = AgentSpecSchema.parse({
      name: 'p',
      kind: 'process',
      command: [
        NODE,
        '-e',
        'console.log(JSON.stringify({ type: "error", message: "HTTP 402 budget spent" }))',
      ],
    });
    await expect(h.run(agent, { prompt: 'x' })).rejects.toMatchObject({ code: 'budget.exceeded' });
    await h.close();
  });
});
