// Rubrics named in requests over HTTP (issue 16 item 1): a request could name any file on the
// server as its rubric, and the validation error quoted the file's content (/etc/shadow line by line).
// Over the network a rubric is inline or a name in quality.rubricDir; nothing else is opened.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { createApp } from './create-app.js';

const SECRET = 'root:$6$saltsalt$hashhashhash:19000:0:99999:7:::';
const RUBRIC = [
  'name: support',
  'criteria:',
  '  - name: relevant',
  '    description: The answer is about the question',
  'threshold: 0.5',
].join('\n');

describe('rubric references in requests over HTTP', () => {
  let t: TestRuntime | undefined;
  let dir: string;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function app() {
    dir = mkdtempSync(join(tmpdir(), 'agentd-rubrics-'));
    const rubricDir = join(dir, 'rubrics');
    mkdirSync(rubricDir);
    writeFileSync(join(rubricDir, 'support.yaml'), RUBRIC);
    writeFileSync(join(rubricDir, 'broken.yaml'), 'name: broken\nunknownKey: 1\n');
    writeFileSync(join(dir, 'shadow'), `${SECRET}\n`);
    // A link inside the folder to a file outside it, and a FIFO (which would block a read).
    symlinkSync(join(dir, 'shadow'), join(rubricDir, 'escape.yaml'));
    execFileSync('mkfifo', [join(rubricDir, 'pipe.yaml')]);
    t = await createTestRuntime({
      script: [{ text: 'An answer.' }, { text: '{"scores":{"relevant":1},"reasons":{"relevant":"ok"}}' }],
      config: { quality: { rubricDir } },
    });
    const server = createApp({ runtime: t.runtime });
    return async (body: unknown) => {
      const res = await server.request('/v1/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    };
  }

  it('refuses a file path as a rubric with 400, opening nothing and quoting nothing', async () => {
    const post = await app();
    for (const rubric of [
      join(dir, 'shadow'),
      '/etc/shadow',
      '../shadow',
      'rubrics/support.yaml',
      '.hidden',
    ]) {
      for (const body of [
        { prompt: 'hi', quality: { rubric } },
        { prompt: 'hi', calibrate: { rubric, labels: [] } },
      ]) {
        const res = await post(body);
        expect(res.status, `${rubric} ${res.text}`).toBe(400);
        expect(res.text).toContain('not a file path');
        expect(res.text).not.toContain('saltsalt');
      }
    }
  });

  it('runs with a rubric named from the rubric folder', async () => {
    const post = await app();
    const res = await post({ prompt: 'hi', quality: { rubric: 'support' } });
    expect(res.status, res.text).toBe(202);
  });

  it('names a broken rubric by its name, not by where the server keeps it', async () => {
    const post = await app();
    const res = await post({ prompt: 'hi', quality: { rubric: 'broken' } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatchObject({ code: 'judge.invalid_rubric' });
    expect(res.text).toContain("rubric 'broken'");
    expect(res.text).not.toContain(dir);
  });

  it('answers the same not-found for a missing name, a link out of the folder and a FIFO, without blocking', async () => {
    const post = await app();
    const answers: [string, string][] = [];
    for (const rubric of ['missing', 'escape', 'pipe']) {
      const res = await post({ prompt: 'hi', quality: { rubric } });
      expect(res.status, res.text).toBe(400);
      expect(res.text).not.toContain('saltsalt');
      const { code, message } = JSON.parse(res.text).error;
      answers.push([code, message.replace(rubric, 'NAME')]);
    }
    // The same code and words for all three: nothing says which one exists, or what it is.
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual([
      'judge.rubric_not_found',
      "rubric 'NAME': no such rubric in the rubric folder (quality.rubricDir)",
    ]);
  });
});
