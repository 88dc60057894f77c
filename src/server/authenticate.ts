import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Context, MiddlewareHandler } from 'hono';
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { AgentdError } from '../core/errors.js';
import { actorWith, adminActor, createTokenBuckets, looksLikeApiKey } from '../security/index.js';
import type { Actor, AuthConfig } from '../security/index.js';
import type { Runtime } from '../runtime/index.js';
import '../security/security-error-codes.js';
import './server-error-codes.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Who made the request, as the authentication middleware found. */
    agentdActor: Actor;
  }
}

/**
 * The actor a request was authenticated as. Fails closed: a route reached without the middleware
 * having decided (a wiring mistake) is a 500, never an anonymous admin.
 */
export function actorOf(c: Context): Actor {
  const actor = c.get('agentdActor') as Actor | undefined;
  if (actor === undefined)
    throw new AgentdError({ code: 'internal.error', message: 'request reached a route unauthenticated' });
  return actor;
}

/** The local user of a server without a token (loopback only): every permission. */
const LOCAL = adminActor('http');
/** Anyone, on a public path of a server with a token: may only ask whether it is alive. */
const ANONYMOUS = actorWith('anonymous', ['health.read']);

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  runtime: Runtime;
  /** The server token (`server.authToken`): an admin key. When set, every request must authenticate. */
  authToken?: string;
  /** Paths served without credentials (health, the API document). */
  publicPaths: ReadonlySet<string>;
  /** Rate limits; default: `runtime.settings.auth`. */
  limits?: AuthConfig;
  clock?: Clock;
}

/**
 * The authentication middleware: finds the actor of a bearer credential (the server token, or an
 * API key through `runtime.keys`), answers 401 with `WWW-Authenticate: Bearer` otherwise, and
 * applies two token buckets: failed authentications per client address (once empty, the client
 * gets 429 before its credential is even looked at, so guessing stops) and requests per key.
 * Failures and lock-outs are audited; the credential itself never is, only an API key's prefix.
 * Without a server token, a request without credentials is the local admin (a loopback server),
 * and one that presents a credential is held to it.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  const { runtime, publicPaths } = options;
  const clock = options.clock ?? systemClock;
  const limits = options.limits ?? runtime.settings.auth;
  const failures = createTokenBuckets({
    capacity: limits.failedAuth.burst,
    perSecond: limits.failedAuth.perMinute / 60,
    clock,
  });
  const perKey = limits.keyRateLimit.enabled
    ? createTokenBuckets({
        capacity: limits.keyRateLimit.burst,
        perSecond: limits.keyRateLimit.perSecond,
        clock,
      })
    : undefined;
  // Fixed-length digests keep the comparison constant-time without leaking the token's length.
  const expected = options.authToken ? sha256(options.authToken) : undefined;
  // Clients whose lock-out is already in the audit log: one event per lock-out, not per request.
  const lockedOut = new Set<string>();

  return async (c, next) => {
    const header = c.req.header('authorization');
    if (publicPaths.has(c.req.path) || (header === undefined && expected === undefined)) {
      c.set('agentdActor', expected === undefined ? LOCAL : ANONYMOUS);
      return next();
    }

    const client = clientAddress(c);
    const gate = failures.peek(bucketOf(client));
    if (!gate.allowed) {
      if (!lockedOut.has(client)) {
        if (lockedOut.size >= 10_000) lockedOut.clear();
        lockedOut.add(client);
        await audit(runtime, client, 'auth.rate_limited', c, { retryAfterSeconds: gate.retryAfterSeconds });
      }
      throw rateLimited('too many failed authentications from this address', gate.retryAfterSeconds);
    }
    lockedOut.delete(client);

    const credential = /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    let actor: Actor | null = null;
    if (credential !== undefined) {
      actor =
        expected !== undefined && timingSafeEqual(sha256(credential), expected)
          ? adminActor('token')
          : await runtime.keys.authenticate(credential);
    }
    if (actor === null) {
      failures.take(bucketOf(client));
      await audit(runtime, client, 'auth.failed', c, {
        reason: header === undefined ? 'missing' : credential === undefined ? 'malformed' : 'rejected',
        // Which key was tried, if it looks like one of ours: the prefix is not secret.
        ...(credential !== undefined && looksLikeApiKey(credential)
          ? { prefix: credential.slice(0, 12) }
          : {}),
      });
      throw new AgentdError({
        code: 'auth.required',
        message: 'a valid bearer token or API key is required (Authorization: Bearer <token>)',
      });
    }

    if (perKey) {
      const verdict = perKey.take(actor.keyId ?? actor.id);
      if (!verdict.allowed) {
        throw rateLimited(`${actor.id} is over its request rate limit`, verdict.retryAfterSeconds);
      }
    }
    c.set('agentdActor', actor);
    return next();
  };
}

/** The TCP peer's address (not X-Forwarded-For, which any client can write); `unknown` under app.request(). */
function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * The failed-authentication bucket of a client address: an IPv6 client's /64, since one machine is
 * usually given a whole /64 and could otherwise guess from 2^64 addresses, each with a full bucket.
 */
function bucketOf(address: string): string {
  if (!isIPv6(address) || !ipaddr.IPv6.isValid(address) || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) {
    return address;
  }
  return `${ipaddr.IPv6.parse(address)
    .parts.slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

function rateLimited(message: string, retryAfterSeconds: number): AgentdError {
  return new AgentdError({
    code: 'auth.rate_limited',
    message: `${message}; try again in ${retryAfterSeconds} s`,
    details: { retryAfterSeconds },
  });
}

function audit(
  runtime: Runtime,
  client: string,
  action: string,
  c: Context,
  details: Record<string, string | number>,
): Promise<void> {
  return runtime.audit.record({
    actor: actorWith(`client:${client}`, []),
    action,
    target: `${c.req.method} ${c.req.path}`.slice(0, 300),
    tenant: null,
    details: { client, ...details },
  });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
