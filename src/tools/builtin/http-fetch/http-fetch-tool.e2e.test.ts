// A real HTTP server on 127.0.0.2, opened for these tests only through the guard's allowlist
// (production defaults refuse every loopback address).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetGuard, fixedResolver } from '../../../security/index.js';
import type { ToolContext } from '../../define-tool.js';
import { createHttpFetchTool } from './http-fetch-tool.js';

let server: http.Server;
let port: number;
const received: { method: string | undefined; body: string; type: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method, body, type: req.headers['content-type'] });
      const path = req.url ?? '/';
      if (path === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<html><head><title>Hello</title><script>x()</script></head><body><p>Caf&eacute; <b>open</b></p></body></html>',
        );
      } else if (path === '/api') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: body }));
      } else if (path === '/image') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
      } else if (path === '/latin1') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      } else if (path === '/to-internal') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not here');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const context: ToolContext = {
  taskId: 'task-1',
  workspace: '/nonexistent',
  signal: new AbortController().signal,
  now: () => 0,
};

function tool() {
  const guard = createNetGuard({
    resolve: fixedResolver({ 'site.test': ['127.0.0.2'] }),
    config: { allow: ['127.0.0.2'], ports: [port, 80, 443] },
  });
  return createHttpFetchTool({ guard });
}

const call = (input: Record<string, unknown>) => {
  const fetchTool = tool();
  return fetchTool.execute(fetchTool.input.parse(input), context);
};

describe('http_fetch', () => {
  it('returns an HTML page as readable text with its title', async () => {
    await expect(call({ url: `http://site.test:${port}/page` })).resolves.toEqual({
      url: `http://site.test:${port}/page`,
      status: 200,
      contentType: 'text/html; charset=utf-8',
      title: 'Hello',
      text: 'Café open',
      truncated: false,
    });
  });

  it('POSTs a body and returns JSON as text, and a 404 as a status, not an error', async () => {
    const answer = await call({
      url: `http://site.test:${port}/api`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"q":1}',
    });
    expect([answer.status, JSON.parse(answer.text)]).toEqual([201, { echoed: '{"q":1}' }]);
    expect(received.at(-1)).toEqual({ method: 'POST', body: '{"q":1}', type: 'application/json' });
    await expect(call({ url: `http://site.test:${port}/missing` })).resolves.toMatchObject({
      status: 404,
      text: 'not here',
    });
  });

  it('decodes the declared charset', async () => {
    await expect(call({ url: `http://site.test:${port}/latin1` })).resolves.toMatchObject({ text: 'café' });
  });

  it('refuses binary content', async () => {
    await expect(call({ url: `http://site.test:${port}/image` })).rejects.toMatchObject({
      code: 'net.unsupported_content',
    });
  });

  it('fails with net.blocked for internal targets, also behind a redirect', async () => {
    await expect(call({ url: 'http://169.254.169.254/latest/meta-data/' })).rejects.toMatchObject({
      code: 'net.blocked',
      category: 'forbidden',
    });
    await expect(call({ url: `http://site.test:${port}/to-internal` })).rejects.toMatchObject({
      code: 'net.blocked',
      message: expect.stringContaining('cloud metadata'),
    });
  });

  it('checks its input: a body only with POST, header names and values without line breaks', async () => {
    await expect(call({ url: `http://site.test:${port}/page`, body: 'x' })).rejects.toMatchObject({
      code: 'tool.invalid_input',
    });
    expect(() => tool().input.parse({ url: 'http://x', headers: { 'x-a': 'v\r\nInjected: 1' } })).toThrow();
    expect(() => tool().input.parse({ url: 'http://x', headers: { 'bad name': 'v' } })).toThrow();
  });
});
