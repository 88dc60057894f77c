import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The security headers every answer carries (through hono's `secureHeaders`): no MIME sniffing, no
 * framing, no referrer, a content security policy that lets nothing load (the API serves JSON and
 * event streams; a page served later sets its own), and `Cache-Control: no-store`, since answers hold
 * task outputs, memories and configuration that no browser or proxy cache should keep.
 */
export function responseHeaders(): MiddlewareHandler {
  const secure = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    // HTTPS is a proxy's business in front of agentd; over plain HTTP browsers ignore the header.
    strictTransportSecurity: false,
  });
  return async (c, next) => {
    await secure(c, async () => {
      await next();
      c.res.headers.set('Cache-Control', 'no-store');
    });
  };
}
