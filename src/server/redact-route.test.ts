import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REDACT_CHARACTERS } from '../operations/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { createApp } from './create-app.js';

describe('POST /v1/redact', () => {
  let t: TestRuntime;
  let app: Hono;
  beforeEach(async () => {
    t = await createTestRuntime({ script: [{ text: 'ok' }] });
    app = createApp({ runtime: t.runtime });
  });
  afterEach(async () => {
    await t.dispose();
  });

  const post = async (body: unknown) => {
    const res = await app.request('/v1/redact', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('returns each finding with its offsets and the text with numbered placeholders', async () => {
    const text = 'Mail jane@example.com or call +44 20 7946 0958; jane@example.com again.';
    const { status, body } = await post({ text });
    expect(status).toBe(200);
    expect(body).toEqual({
      findings: [
        { type: 'email', start: 5, end: 21, text: 'jane@example.com' },
        { type: 'phone', start: 30, end: 46, text: '+44 20 7946 0958' },
        { type: 'email', start: 48, end: 64, text: 'jane@example.com' },
      ],
      redacted: 'Mail [EMAIL_1] or call [PHONE_1]; [EMAIL_1] again.',
    });
  });

  it('refuses a text over the size limit with a 400 and a code', async () => {
    const { status, body } = await post({ text: 'a'.repeat(MAX_REDACT_CHARACTERS + 1) });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'request.invalid' } });
  });
});
