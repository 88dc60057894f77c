/** The names a loopback server is reached by. 127.0.0.0/8 beyond .1 is left out: nothing of ours binds there. */
const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether a bind address or a hostname is loopback. */
export function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name.toLowerCase());
}

/** Whether a `Host` header value (a name with an optional port) names this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d{1,5})?$/.exec(host);
  return match !== null && isLoopbackName(match[1] as string);
}
