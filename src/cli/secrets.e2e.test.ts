// The vault end to end: a secret set through the CLI is used as a provider key, and its value is
// nowhere agentd writes (database, CLI output, config check, logs), only in the provider's request.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentdConfig } from '../config/index.js';
import { loadConfig } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import { createRuntime } from '../runtime/index.js';
import { createApp } from '../server/create-app.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';

const PLANTED = 'sk-planted-Zq7xV93kLmN0pQrS';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string | undefined;
let server: FakeOpenAIServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

/** Every log line the runtime writes, at every level, as text. */
function recordingLogger(lines: string[]): Logger {
  const log =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function configFor(dir: string, baseUrl: string, env: Record<string, string> = {}): AgentdConfig {
  return loadConfig({
    env: { AGENTD_HOME: dir, ...env },
    files: [
      {
        path: 'agentd.yaml',
        text: [
          'providers:',
          '  hosted:',
          '    type: openai-compatible',
          `    baseUrl: ${baseUrl}`,
          '    apiKey: secret:HOSTED_API_KEY',
          'models:',
          '  default: hosted/small',
          '  catalog:',
          '    - id: hosted/small',
          '      inputPerMTok: 1',
          '      outputPerMTok: 1',
          '      capabilities: { tools: true }',
          'memory:',
          '  embeddings: none',
        ].join('\n'),
      },
    ],
    cwd: dir,
    userHome: dir,
  });
}

async function cli(argv: string[], config: AgentdConfig, logs: string[], stdin?: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...(stdin ? { stdin: Readable.from(stdin) } : {}),
  };
  const code = await runCli(argv, {
    io,
    runtime: { loadedConfig: config, detectLocalServer: false, logger: recordingLogger(logs), maxRetries: 0 },
  });
  return { code, stdout, stderr };
}

/** Every file under `dir` (the database, its WAL, the key file's folder), read as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (statSync(path).isFile()) out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

describe('agentd secrets', () => {
  it('keeps a provider key out of everything agentd writes, and sends it to the provider only', async () => {
    home = mkdtempSync(join(tmpdir(), 'agentd-secrets-e2e-'));
    server = await startFakeOpenAIServer({ script: [{ text: 'the answer is 42' }] });
    const config = configFor(home, server.baseUrl);
    const logs: string[] = [];
    const outputs: CliRun[] = [];

    const set = await cli(['secrets', 'set', 'HOSTED_API_KEY'], config, logs, [`${PLANTED}\n`]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('secret HOSTED_API_KEY stored');
    outputs.push(set);
    expect(statSync(join(home, 'secrets.key')).mode & 0o777).toBe(0o600);

    const list = await cli(['secrets', 'list', '--json'], config, logs);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).secrets.map((s: { name: string }) => s.name)).toEqual(['HOSTED_API_KEY']);
    outputs.push(list);

    const run = await cli(['run', 'what is six times seven?', '--json'], config, logs);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', output: 'the answer is 42' });
    outputs.push(run);
    const taskId = (JSON.parse(run.stdout) as { id: string }).id;

    outputs.push(await cli(['tasks', 'show', taskId, '--spans'], config, logs));
    outputs.push(await cli(['tasks', 'show', taskId, '--json'], config, logs));
    const check = await cli(['config', 'check', '--json'], config, logs);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('secret:HOSTED_API_KEY');
    outputs.push(check, await cli(['config', 'check'], config, logs));

    // Each change is audited by name, with the CLI as actor.
    const runtime = await createRuntime({
      loadedConfig: config,
      detectLocalServer: false,
      logger: recordingLogger(logs),
    });
    const audited = await runtime.audit.list({ action: 'secret.set' });
    // The HTTP API shows the same: config, the task, its spans, the audit log.
    const app = createApp({ runtime, logger: recordingLogger(logs) });
    const answers: string[] = [];
    for (const path of ['/v1/config', `/v1/tasks/${taskId}`, `/v1/tasks/${taskId}/spans`, '/v1/audit']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      answers.push(await response.text());
    }
    await runtime.close();
    expect(answers[0]).toContain('secret:HOSTED_API_KEY');
    for (const answer of answers) expect(answer).not.toContain(PLANTED);
    expect(audited.map((e) => [e.actor, e.target, e.details])).toEqual([
      ['cli', 'HOSTED_API_KEY', { replaced: false }],
    ]);

    // The provider got the key: the one place it must be.
    const chat = server.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(chat.length).toBeGreaterThan(0);
    for (const request of chat) expect(request.headers['authorization']).toBe(`Bearer ${PLANTED}`);

    // And nowhere else: no file under the home (database, WAL, key file), no output, no log line.
    const files = filesUnder(home);
    expect(files.some((f) => f.path.endsWith('agentd.db'))).toBe(true);
    for (const file of files) expect(file.bytes.includes(Buffer.from(PLANTED)), file.path).toBe(false);
    for (const output of outputs) {
      expect(output.stdout).not.toContain(PLANTED);
      expect(output.stderr).not.toContain(PLANTED);
    }
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line).not.toContain(PLANTED);
    // Nor any part of it that a mask might leave: config check shows no characters of a vault value.
    expect(check.stdout).not.toContain(PLANTED.slice(-4));
  });

  it('refuses a value given on the command line, without echoing it', async () => {
    home = mkdtempSync(join(tmpdir(), 'agentd-secrets-e2e-'));
    const config = configFor(home, 'http://127.0.0.1:9');
    const run = await cli(['secrets', 'set', 'HOSTED_API_KEY', PLANTED], config, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('never taken from the command line');
    expect(run.stderr).not.toContain(PLANTED);
    expect(existsSync(join(home, 'secrets.key'))).toBe(false);
  });

  it('rejects a malformed AGENTD_MASTER_KEY by name, without quoting it', async () => {
    home = mkdtempSync(join(tmpdir(), 'agentd-secrets-e2e-'));
    const badKey = 'not-a-real-key-but-a-secret-anyway';
    const config = configFor(home, 'http://127.0.0.1:9', { AGENTD_MASTER_KEY: badKey });
    const run = await cli(['secrets', 'set', 'HOSTED_API_KEY'], config, [], [PLANTED]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('AGENTD_MASTER_KEY must be 32 random bytes');
    expect(run.stderr).toContain('(vault.invalid_key)');
    expect(run.stderr).not.toContain(badKey);
    expect(run.stderr).not.toContain(PLANTED);
  });

  it('names the key and the secret when a referenced secret is missing', async () => {
    home = mkdtempSync(join(tmpdir(), 'agentd-secrets-e2e-'));
    server = await startFakeOpenAIServer({ script: [{ text: 'never' }] });
    const config = configFor(home, server.baseUrl);
    const check = await cli(['config', 'check'], config, []);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(
      'providers.hosted.apiKey: secret HOSTED_API_KEY is not in the vault; set it with: agentd secrets set HOSTED_API_KEY',
    );
    const run = await cli(['run', 'hi', '--json'], config, []);
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain('secret HOSTED_API_KEY is not in the vault');
    expect(server.requests.filter((r) => r.path.endsWith('/chat/completions'))).toEqual([]);
  });

  it('rotates the key: the provider still gets the value, the old key file no longer opens it', async () => {
    home = mkdtempSync(join(tmpdir(), 'agentd-secrets-e2e-'));
    server = await startFakeOpenAIServer({ script: [{ text: 'ok' }] });
    const config = configFor(home, server.baseUrl);
    expect((await cli(['secrets', 'set', 'HOSTED_API_KEY'], config, [], [PLANTED])).code).toBe(0);
    const before = readFileSync(join(home, 'secrets.key'), 'utf8');
    const rotate = await cli(['secrets', 'rotate-key'], config, []);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.stderr).toContain('re-encrypted 1 secret under the new key');
    expect(readFileSync(join(home, 'secrets.key'), 'utf8')).not.toBe(before);
    const run = await cli(['run', 'hi', '--json'], config, []);
    expect(run.code, run.stderr).toBe(0);
    expect(server.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${PLANTED}`);
    // The old key, given as AGENTD_MASTER_KEY, is refused by name (fingerprints only).
    const stale = await cli(
      ['run', 'hi', '--json'],
      configFor(home, server.baseUrl, { AGENTD_MASTER_KEY: before.trim() }),
      [],
    );
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('vault.wrong_key');
    const removed = await cli(['secrets', 'rm', 'HOSTED_API_KEY'], config, []);
    expect(removed.code).toBe(0);
    expect((await cli(['secrets', 'rm', 'HOSTED_API_KEY'], config, [])).code).toBe(1);
  });
});
