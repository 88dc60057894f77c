// Crash and resume on DBOS (executor.engine: dbos): a real CLI process runs the team as a DBOS workflow
// against a fake OpenAI server and is SIGKILLed while model calls hang at the fixture's checkpoint; a new
// runtime under the same executor id recovers the workflow at launch. Completed steps must come from DBOS,
// never from the model again. Topologies with parallel branches, whose steps finish in any order.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { createRuntime } from '../../runtime/index.js';
import type { Runtime } from '../../runtime/index.js';
import { startFakeOpenAIServer } from '../../testing/fake-openai-server.js';
import type { FakeOpenAIServer, RecordedRequest } from '../../testing/fake-openai-server.js';
import {
  teamModelReply,
  teamModelRequestOfHttp,
  teamModelSignature,
  teamModelTurn,
} from '../../testing/team-model-answer.js';
import { createTestDatabase } from '../../testing/postgres-test-database.js';
import type { TestDatabase } from '../../testing/postgres-test-database.js';
import { createTestRuntime } from '../../testing/test-runtime.js';
import { topologyFixtures } from './topology-fixtures.js';
import type { TopologyFixture } from './topology-fixtures.js';

const root = resolve(import.meta.dirname, '../../..');
/** tsx's loader by absolute URL, so the child can run TypeScript from any working directory. */
const tsxLoader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const PROMPT = 'Draft a packing list for CRASHMARKER';

function fixtureFor(name: string): TopologyFixture {
  const fixture = topologyFixtures[name];
  if (!fixture) throw new Error(`topology '${name}' has no conformance fixture in topology-fixtures.ts`);
  return fixture;
}

const isChat = (request: RecordedRequest): boolean => request.path.endsWith('/chat/completions');
const signatureOf = (request: RecordedRequest): string => teamModelSignature(teamModelRequestOfHttp(request));

/** The output of an uninterrupted run in-process, for comparison with the resumed one. */
async function uninterruptedOutput(fixture: TopologyFixture): Promise<string | null> {
  const test = await createTestRuntime({ script: teamModelTurn });
  try {
    return (await test.runtime.tasks.run({ prompt: PROMPT, team: fixture.team })).output;
  } finally {
    await test.dispose();
  }
}

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase('dbos_crash');
});
afterAll(async () => {
  await database?.drop();
});

describe('topology crash and resume on DBOS', () => {
  let dir: string | undefined;
  let server: FakeOpenAIServer | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    runtime = server = dir = undefined;
  });

  it.each(['parallel', 'hierarchical', 'dag', 'mesh'])(
    '%s: resumes a SIGKILLed task without asking the model again for completed steps',
    async (name) => {
      const fixture = fixtureFor(name);
      dir = mkdtempSync(join(tmpdir(), 'agentd-conformance-dbos-crash-'));
      let crashed = false;
      let hung!: () => void;
      const hangReached = new Promise<void>((done) => (hung = done));
      // The first `checkpoint` calls answer; from there every call hangs until the process is killed.
      server = await startFakeOpenAIServer({
        script: (request, index) => {
          if (crashed || index < fixture.checkpoint) return teamModelReply(request);
          hung();
          return { hang: true };
        },
      });
      writeFileSync(
        join(dir, 'agentd.yaml'),
        [
          'providers:',
          '  local:',
          '    type: openai-compatible',
          `    baseUrl: ${server.baseUrl}`,
          'models:',
          '  default: local/m',
          'executor:',
          '  engine: dbos',
          '  dbos:',
          `    url: ${database?.url ?? ''}`,
        ].join('\n'),
      );
      writeFileSync(join(dir, 'team.json'), JSON.stringify(fixture.team));
      const home = join(dir, 'home');

      const child = spawn(
        process.execPath,
        ['--import', tsxLoader, join(root, 'src/cli/run-main.ts'), 'run', '--team', 'team.json', PROMPT],
        {
          cwd: dir,
          env: { PATH: process.env['PATH'] ?? '', HOME: dir, AGENTD_HOME: home },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((done) =>
        child.on('exit', (_code, exitSignal) => done(exitSignal)),
      );
      const early = await Promise.race([
        hangReached.then(() => undefined),
        exited.then((exitSignal) => `the child exited (${exitSignal}) before a call hung; stderr: ${stderr}`),
      ]);
      if (early) throw new Error(early);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      crashed = true;

      const before = server.requests.filter(isChat);
      const answered = before.slice(0, fixture.checkpoint).map(signatureOf);
      const interrupted = before.slice(fixture.checkpoint).map(signatureOf);
      expect(answered).toHaveLength(fixture.checkpoint);
      expect(interrupted.length).toBeGreaterThan(0);

      const configPath = join(dir, 'agentd.yaml');
      const config = loadConfig({
        env: { AGENTD_HOME: home },
        files: [{ path: configPath, text: readFileSync(configPath, 'utf8') }],
        cwd: dir,
        userHome: dir,
      });
      runtime = await createRuntime({
        loadedConfig: config,
        resume: true,
        detectLocalServer: false,
        maxRetries: 0,
      });
      const [task] = await runtime.tasks.list();
      const result = await runtime.tasks.wait(task?.id ?? '');

      expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
      expect(result.output).toBe(await uninterruptedOutput(fixture));
      expect(result.modelCalls).toBe(fixture.calls);
      const after = server.requests.filter(isChat).slice(before.length).map(signatureOf);
      // No completed step was asked again; every interrupted one was asked exactly once more.
      for (const signature of answered) expect(after).not.toContain(signature);
      for (const signature of interrupted) expect(after.filter((s) => s === signature)).toHaveLength(1);
      expect(after).toHaveLength(fixture.calls - fixture.checkpoint);
      expect(new Set([...answered, ...after]).size).toBe(fixture.calls);
    },
    // A child process on tsx, DBOS launches on both sides, and a 2-core machine shared with other work.
    90_000,
  );
});
