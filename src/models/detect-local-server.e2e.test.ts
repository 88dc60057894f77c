import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../core/logger.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import { detectLocalServer } from './detect-local-server.js';

/** A port nothing listens on: bound once to learn a free number, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function recordingLogger(): Logger & { lines: { message: string; fields?: Record<string, unknown> }[] } {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const log = (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ message, ...(fields ? { fields } : {}) });
  return { lines, debug: log, info: log, warn: log, error: log };
}

describe('detectLocalServer', () => {
  it('finds an OpenAI-compatible server and the models it lists', async () => {
    const server = await startFakeOpenAIServer({ models: ['llama3.2', 'qwen2.5:7b'] });
    try {
      expect(await detectLocalServer({ baseUrls: [server.baseUrl] })).toEqual({
        baseUrl: server.baseUrl,
        models: ['llama3.2', 'qwen2.5:7b'],
      });
      expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    } finally {
      await server.close();
    }
  });

  it('returns null for a closed port, logging why', async () => {
    const logger = recordingLogger();
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    expect(await detectLocalServer({ baseUrls: [baseUrl], logger })).toBeNull();
    expect(logger.lines).toEqual([
      { message: 'no OpenAI-compatible server', fields: { baseUrl, reason: expect.any(String) } },
    ]);
  });

  it('tries base URLs in order and returns the first that answers', async () => {
    const server = await startFakeOpenAIServer({ models: ['m'] });
    try {
      const closed = `http://127.0.0.1:${await closedPort()}/v1`;
      expect(await detectLocalServer({ baseUrls: [closed, `${server.baseUrl}/`] })).toEqual({
        baseUrl: server.baseUrl,
        models: ['m'],
      });
    } finally {
      await server.close();
    }
  });

  it('returns null when the server does not answer in time', async () => {
    // A socket that accepts connections and never answers: a stalled server.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address() as AddressInfo;
      const baseUrl = `http://127.0.0.1:${address.port}/v1`;
      const logger = recordingLogger();
      // The server never answers: the probe can only end by giving up at its time limit.
      expect(await detectLocalServer({ baseUrls: [baseUrl], timeoutMs: 50, logger })).toBeNull();
      expect(sockets.size).toBe(1);
      expect(logger.lines).toEqual([
        {
          message: 'no OpenAI-compatible server',
          fields: { baseUrl, reason: expect.stringMatching(/^TimeoutError: /) },
        },
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
