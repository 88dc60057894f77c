import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { Runtime } from '../runtime/index.js';
import { actorWith, PERMISSIONS } from '../security/index.js';
import { createMcpHttpHandler } from './mcp-http.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
};
const PING = { jsonrpc: '2.0', id: 2, method: 'ping' };

function post(body: unknown, session?: string): Request {
  return new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: { ...HEADERS, ...(session ? { 'mcp-session-id': session } : {}) },
    body: JSON.stringify(body),
  });
}

describe('MCP Streamable HTTP sessions', () => {
  it('belong to the credential that opened them, not to its name: a new key of the same name is refused', async () => {
    // Initialize and ping touch no runtime.
    const handler = createMcpHttpHandler({ runtime: {} as Runtime, version: '0.0.0', logger: silentLogger });
    const revoked = actorWith('key:ci', PERMISSIONS, { keyId: 'key_old' });
    const successor = actorWith('key:ci', ['tasks.read'], { keyId: 'key_new' });
    try {
      const opened = await handler.handle(post(INITIALIZE), revoked, INITIALIZE);
      const session = opened.headers.get('mcp-session-id') ?? '';
      expect(session).not.toBe('');
      expect((await handler.handle(post(PING, session), revoked, PING)).status).toBe(200);
      expect((await handler.handle(post(PING, session), successor, PING)).status).toBe(403);
    } finally {
      await handler.close();
    }
  });

  it("keeps one credential from pushing other clients' sessions out", async () => {
    const handler = createMcpHttpHandler({ runtime: {} as Runtime, version: '0.0.0', logger: silentLogger });
    const open = async (actor: ReturnType<typeof actorWith>) =>
      (await handler.handle(post(INITIALIZE), actor, INITIALIZE)).headers.get('mcp-session-id') ?? '';
    const admin = actorWith('key:admin', PERMISSIONS, { keyId: 'key_admin' });
    const viewer = actorWith('key:viewer', ['tasks.read'], { keyId: 'key_viewer' });
    try {
      const kept = await open(admin);
      const flood: string[] = [];
      for (let i = 0; i < 120; i += 1) flood.push(await open(viewer));
      expect((await handler.handle(post(PING, kept), admin, PING)).status).toBe(200);
      // The viewer's own oldest sessions went instead; its newest work.
      expect((await handler.handle(post(PING, flood[0]), viewer, PING)).status).toBe(404);
      expect((await handler.handle(post(PING, flood[119]), viewer, PING)).status).toBe(200);
    } finally {
      await handler.close();
    }
  });
});
