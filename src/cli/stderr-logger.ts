import type { Logger } from '../core/logger.js';
import type { CliIo } from './cli-io.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A logger writing `agentd: level: message key=value` lines to stderr, from `minLevel` up. */
export function createStderrLogger(io: CliIo, minLevel: (typeof LEVELS)[number]): Logger {
  const min = LEVELS.indexOf(minLevel);
  const log = (level: (typeof LEVELS)[number]) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(level) < min) return;
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')
      : '';
    io.stderr.write(`agentd: ${level}: ${message}${extra ? ` ${extra}` : ''}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
