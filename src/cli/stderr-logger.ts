import type { Logger } from '../core/logger.js';
import type { CliIo } from './cli-io.js';

import { LOG_LEVELS } from '../core/log-config.js';

export { LOG_LEVELS };

/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * A field as one token: plain strings bare, anything with spaces, quotes or control characters (a
 * path or message from a request could carry a newline that forges a log line) JSON-quoted.
 */
function plain(value: unknown): string {
  if (typeof value === 'string' && /^[^\s"\p{Cc}]*$/u.test(value)) return value;
  return JSON.stringify(value) ?? 'undefined';
}

/** A logger writing `agentd: level: message key=value` lines to stderr, from `minLevel` up. */
export function createStderrLogger(io: CliIo, minLevel: LogLevel): Logger {
  const min = LOG_LEVELS.indexOf(minLevel);
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${k}=${plain(v)}`)
          .join(' ')
      : '';
    io.stderr.write(`agentd: ${level}: ${message}${extra ? ` ${extra}` : ''}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
