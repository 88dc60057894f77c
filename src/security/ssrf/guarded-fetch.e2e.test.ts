// Real HTTP servers on loopback addresses. Production defaults refuse loopback, so the "allowed"
// server sits on 127.0.0.2 and each guard here opens exactly that address through its allowlist;
// 127.0.0.1 plays the internal service an attacker wants to reach and must never see a request.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch } from './guarded-fetch.js';
import { fixedResolver } from './host-resolver.js';
import type { HostResolver } from './host-resolver.js';
import { createNetGuard } from './net-guard.js';

interface Seen {
  host: string | undefined;
  path: string | undefined;
  method: string | undefined;
  authorization: string | undefined;
  apiKey: string | string[] | undefined;
  accept: string | undefined;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A server on `host` that records what reaches it and answers with the current handler. */
async function recordingServer(host: string, port = 0) {
  const seen: Seen[] = [];
  let handler: Handler = (_req, res) => res.end('ok');
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        host: req.headers.host,
        path: req.url,
        method: req.method,
        authorization: req.headers.authorization,
        apiKey: req.headers['x-api-key'],
        accept: req.headers.accept,
        body,
      });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    seen,
    port: (server.address() as AddressInfo).port,
    handle(next: Handler) {
      handler = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let allowed: Awaited<ReturnType<typeof recordingServer>>;
let internal: Awaited<ReturnType<typeof recordingServer>>;

beforeAll(async () => {
  allowed = await recordingServer('127.0.0.2');
  // The same port on 127.0.0.1: a connection that went to the wrong address would reach it.
  internal = await recordingServer('127.0.0.1', allowed.port);
});
afterAll(async () => {
  await allowed.close();
  await internal.close();
});
afterEach(() => {
  allowed.seen.length = 0;
  internal.seen.length = 0;
  allowed.handle((_req, res) => res.end('ok'));
  internal.handle((_req, res) => res.end('internal secrets'));
});

const guardWith = (
  resolve: HostResolver,
  extra: { maxRedirects?: number; maxBytes?: number; timeoutMs?: number } = {},
) => createNetGuard({ resolve, config: { allow: ['127.0.0.2'], ports: [allowed.port], ...extra } });

describe('guarded fetch against DNS rebinding', () => {
  it('connects to the address it checked, not to a second answer of the name', async () => {
    const asked: string[] = [];
    // Answers the allowed address first and the internal one on every later lookup.
    const rebinding: HostResolver = async (name) => {
      asked.push(name);
      return asked.length === 1 ? ['127.0.0.2'] : ['127.0.0.1'];
    };
    const response = await guardedFetch(guardWith(rebinding), `http://rebind.test:${allowed.port}/page`);
    expect(response.body.toString()).toBe('ok');
    expect(response.address).toBe('127.0.0.2');
    expect(asked).toEqual(['rebind.test']);
    expect(allowed.seen).toMatchObject([{ host: `rebind.test:${allowed.port}`, path: '/page' }]);
    expect(internal.seen).toEqual([]);
  });

  it('blocks the name on a lookup that answers the internal address, before any connection', async () => {
    let lookups = 0;
    const rebinding: HostResolver = async () => (++lookups === 1 ? ['127.0.0.2'] : ['127.0.0.1']);
    const guard = guardWith(rebinding);
    await guardedFetch(guard, `http://rebind.test:${allowed.port}/`);
    await expect(guardedFetch(guard, `http://rebind.test:${allowed.port}/`)).rejects.toMatchObject({
      code: 'net.blocked',
      details: { reason: "'rebind.test' resolves to loopback address 127.0.0.1" },
    });
    expect(internal.seen).toEqual([]);
  });
});

describe('guarded fetch and redirects', () => {
  const names = fixedResolver({ 'allowed.test': ['127.0.0.2'], 'inside.test': ['127.0.0.1'] });

  it.each([
    ['an address', (port: number) => `http://127.0.0.1:${port}/admin`],
    ['a decimal address', (port: number) => `http://2130706433:${port}/admin`],
    ['localhost', (port: number) => `http://localhost:${port}/admin`],
    ['a name resolving inside', (port: number) => `http://inside.test:${port}/admin`],
    ['an IPv4-mapped address', (port: number) => `http://[::ffff:127.0.0.1]:${port}/admin`],
  ])('re-checks a redirect to %s and blocks it', async (_what, location) => {
    allowed.handle((_req, res) => res.writeHead(302, { location: location(internal.port) }).end());
    await expect(
      guardedFetch(guardWith(names), `http://allowed.test:${allowed.port}/`),
    ).rejects.toMatchObject({
      name: 'UnsafeUrlError',
      code: 'net.blocked',
    });
    expect(allowed.seen).toHaveLength(1);
    expect(internal.seen).toEqual([]);
  });

  it('blocks a redirect to another scheme', async () => {
    allowed.handle((_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end());
    await expect(
      guardedFetch(guardWith(names), `http://allowed.test:${allowed.port}/`),
    ).rejects.toMatchObject({
      code: 'net.blocked',
      details: { reason: "scheme 'file' is not allowed (only http and https)" },
    });
  });

  it('follows allowed redirects up to the limit, then stops', async () => {
    allowed.handle((req, res) => {
      const hop = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hop') ?? '0');
      if (hop < 3) res.writeHead(302, { location: `/?hop=${hop + 1}` }).end();
      else res.end(`arrived after ${hop}`);
    });
    const three = await guardedFetch(
      guardWith(names, { maxRedirects: 3 }),
      `http://allowed.test:${allowed.port}/`,
    );
    expect([three.body.toString(), three.redirects, three.url]).toEqual([
      'arrived after 3',
      3,
      `http://allowed.test:${allowed.port}/?hop=3`,
    ]);
    allowed.seen.length = 0;
    await expect(
      guardedFetch(guardWith(names, { maxRedirects: 2 }), `http://allowed.test:${allowed.port}/`),
    ).rejects.toMatchObject({ code: 'net.redirect_limit' });
    expect(allowed.seen).toHaveLength(3);
  });

  it('turns a POST into a GET on 303 and drops credentials when the origin changes', async () => {
    const other = fixedResolver({ 'allowed.test': ['127.0.0.2'], 'other.test': ['127.0.0.2'] });
    allowed.handle((req, res) => {
      if (req.headers.host?.startsWith('allowed.test')) {
        res.writeHead(303, { location: `http://other.test:${allowed.port}/next` }).end();
      } else {
        res.end('done');
      }
    });
    const response = await guardedFetch(guardWith(other), `http://allowed.test:${allowed.port}/`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret', 'content-type': 'text/plain' },
      body: 'payload',
    });
    expect(response.body.toString()).toBe('done');
    expect(allowed.seen).toMatchObject([
      { method: 'POST', authorization: 'Bearer secret', body: 'payload' },
      { method: 'GET', authorization: undefined, body: '', host: `other.test:${allowed.port}` },
    ]);
  });
});

describe('guarded fetch credentials', () => {
  it("drops credential-looking headers (an MCP server's X-API-Key), not only Authorization, when a redirect changes the origin", async () => {
    const other = fixedResolver({ 'allowed.test': ['127.0.0.2'], 'other.test': ['127.0.0.2'] });
    allowed.handle((req, res) => {
      if (req.headers.host?.startsWith('allowed.test')) {
        res.writeHead(307, { location: `http://other.test:${allowed.port}/next` }).end();
      } else {
        res.end('done');
      }
    });
    await guardedFetch(guardWith(other), `http://allowed.test:${allowed.port}/`, {
      method: 'POST',
      headers: { 'x-api-key': 'k-secret', accept: 'application/json', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(allowed.seen).toMatchObject([
      { method: 'POST', apiKey: 'k-secret', accept: 'application/json' },
      { method: 'POST', apiKey: undefined, accept: 'application/json', host: `other.test:${allowed.port}` },
    ]);
  });
});

describe('guarded fetch limits', () => {
  const names = fixedResolver({ 'allowed.test': ['127.0.0.2'] });

  it('cuts a body off at the byte limit and says so', async () => {
    allowed.handle((_req, res) => res.end('x'.repeat(10_000)));
    const response = await guardedFetch(
      guardWith(names, { maxBytes: 100 }),
      `http://allowed.test:${allowed.port}/`,
    );
    expect([response.body.length, response.truncated]).toEqual([100, true]);
    const small = await guardedFetch(guardWith(names), `http://allowed.test:${allowed.port}/`, {
      maxBytes: 20_000,
    });
    expect([small.body.length, small.truncated]).toEqual([10_000, false]);
  });

  it('gives up with net.timeout when the server does not answer', async () => {
    allowed.handle(() => undefined);
    await expect(
      guardedFetch(guardWith(names, { timeoutMs: 50 }), `http://allowed.test:${allowed.port}/`),
    ).rejects.toMatchObject({ code: 'net.timeout', category: 'upstream' });
  });

  it('gives up with net.timeout when the resolver does not answer', async () => {
    const silent: HostResolver = () => new Promise<string[]>(() => undefined);
    await expect(
      guardedFetch(guardWith(silent, { timeoutMs: 50 }), `http://allowed.test:${allowed.port}/`),
    ).rejects.toMatchObject({ code: 'net.timeout' });
  });

  it('rethrows the caller’s cancellation as it is', async () => {
    allowed.handle(() => undefined);
    const controller = new AbortController();
    const pending = guardedFetch(guardWith(names), `http://allowed.test:${allowed.port}/`, {
      signal: controller.signal,
    });
    controller.abort(new Error('task cancelled'));
    await expect(pending).rejects.toThrow('task cancelled');
  });

  it('reports a refused connection as net.request_failed', async () => {
    const closed = await recordingServer('127.0.0.2');
    const port = closed.port;
    await closed.close();
    const guard = createNetGuard({ resolve: names, config: { allow: ['127.0.0.2'], ports: [port] } });
    await expect(guardedFetch(guard, `http://allowed.test:${port}/`)).rejects.toMatchObject({
      code: 'net.request_failed',
    });
  });
});

describe('guarded fetch over https', () => {
  // A self-signed certificate for the name `secure.test` only, made for these tests (testdata/).
  const cert = readFileSync(new URL('./testdata/secure-test-cert.pem', import.meta.url));
  const key = readFileSync(new URL('./testdata/secure-test-key.pem', import.meta.url));
  let server: https.Server;
  let port: number;
  const seen: { servername: string | false | null; host: string | undefined; local: string | undefined }[] =
    [];

  beforeAll(async () => {
    server = https.createServer({ cert, key }, (req, res) => {
      const socket = req.socket as TLSSocket;
      seen.push({ servername: socket.servername, host: req.headers.host, local: socket.localAddress });
      res.end('secure ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const names = fixedResolver({ 'secure.test': ['127.0.0.2'], 'other.test': ['127.0.0.2'] });
  const guard = () => createNetGuard({ resolve: names, config: { allow: ['127.0.0.2'], ports: [port] } });

  it('sends the name as TLS server name and Host while connecting to the checked address', async () => {
    const response = await guardedFetch(guard(), `https://secure.test:${port}/`, { ca: cert });
    expect([response.body.toString(), response.address]).toEqual(['secure ok', '127.0.0.2']);
    expect(seen.at(-1)).toEqual({
      servername: 'secure.test',
      host: `secure.test:${port}`,
      local: '127.0.0.2',
    });
  });

  it('checks the certificate against the name, not the address it connected to', async () => {
    await expect(guardedFetch(guard(), `https://other.test:${port}/`, { ca: cert })).rejects.toMatchObject({
      code: 'net.request_failed',
      message: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID'),
    });
  });

  it('does not trust a self-signed certificate by default', async () => {
    await expect(guardedFetch(guard(), `https://secure.test:${port}/`)).rejects.toMatchObject({
      code: 'net.request_failed',
    });
  });
});
