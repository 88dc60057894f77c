import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { AgentdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/index.js';
import { createApp, GATEWAY_PATH } from './create-app.js';
import { isLoopbackName } from '../core/loopback.js';
import { estimateTokenBits, isStrongToken, MIN_TOKEN_BITS, TOKEN_ADVICE } from '../security/index.js';

/** A running HTTP server. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP API; refuses to bind beyond loopback unless an auth token is configured. */
export async function startServer(options: {
  runtime: Runtime;
  host: string;
  port: number;
  authToken?: string;
  /** Browser origins besides the server's own that may call the API (see AppOptions). */
  allowedOrigins?: readonly string[];
  /** Where server errors are logged. */
  logger?: Logger;
  version?: string;
  /**
   * Connections the kernel may hold completed but not yet accepted (node's default is 511; Linux
   * caps it at net.core.somaxconn). Under a burst of connections a short backlog drops handshakes.
   */
  backlog?: number;
}): Promise<RunningServer> {
  if (!isLoopbackName(options.host) && !options.authToken) {
    throw new AgentdError({
      code: 'server.auth_required',
      message: `binding to ${options.host} exposes agentd beyond this machine; set server.authToken (e.g. env:AGENTD_TOKEN) first: ${TOKEN_ADVICE}`,
    });
  }
  if (!isLoopbackName(options.host) && options.authToken && !isStrongToken(options.authToken)) {
    // A guessable token on a reachable port is no lock at all; on loopback it only guards against
    // other local users, so it is left to the owner there.
    throw new AgentdError({
      code: 'server.weak_token',
      message: `binding to ${options.host} needs a server.authToken with at least ${MIN_TOKEN_BITS / 8} bytes of entropy (about ${estimateTokenBits(options.authToken).toFixed(0)} bits given, ${MIN_TOKEN_BITS} needed); ${TOKEN_ADVICE}`,
    });
  }
  const app = createApp({
    runtime: options.runtime,
    ...(options.authToken ? { authToken: options.authToken } : {}),
    ...(options.version ? { version: options.version } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({ fetch: app.fetch });
    server.listen(
      { host: options.host, port: options.port, ...(options.backlog ? { backlog: options.backlog } : {}) },
      () => {
        const info = server.address() as AddressInfo;
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        // Foreign agents of this server's tasks reach the gateway here (on loopback when bound to all).
        const local = info.address === '0.0.0.0' ? '127.0.0.1' : info.address === '::' ? '[::1]' : host;
        options.runtime.gateway.serveAt(`http://${local}:${info.port}${GATEWAY_PATH}`);
        resolve({
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              options.runtime.gateway.serveAt(undefined);
              server.close(() => done());
              // Event streams and `?wait=true` requests of running tasks would hold the server open
              // until those tasks end, which a shutting-down runtime never lets happen.
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new AgentdError({
              code: 'server.port_in_use',
              message: `port ${options.port} on ${options.host} is already in use; pick another with --port`,
            })
          : error,
      );
    });
  });
}
