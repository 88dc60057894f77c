import { describe, expect, it } from 'vitest';
import { detectLocalServer } from './detect-local-server.js';

// The probes over a real socket (a fake server, a closed port, a stalled one) are in detect-local-server.e2e.test.ts.
describe('detectLocalServer', () => {
  it('returns null for an answer that is not an OpenAI model list', async () => {
    const notAList: typeof fetch = async () => new Response(JSON.stringify({ models: [] }), { status: 200 });
    const failing: typeof fetch = async () => new Response('nope', { status: 404 });
    expect(await detectLocalServer({ baseUrls: ['http://127.0.0.1:1/v1'], fetch: notAList })).toBeNull();
    expect(await detectLocalServer({ baseUrls: ['http://127.0.0.1:1/v1'], fetch: failing })).toBeNull();
  });
});
