import { z } from 'zod';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';

/** An OpenAI-compatible server that answered, and the models it lists. */
export interface DetectedLocalServer {
  baseUrl: string;
  models: string[];
}

/** Options of {@link detectLocalServer}. */
export interface DetectLocalServerOptions {
  /** Base URLs to probe, in order (each ends with `/v1`). Default: Ollama's. */
  baseUrls?: readonly string[];
  /** Per-URL time limit in milliseconds. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Receives why each probe failed (debug level). */
  logger?: Logger;
}

const ModelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/**
 * Probes for an OpenAI-compatible server (`GET <baseUrl>/models`) and returns the first that
 * answers with a model list, or null. A probe: it never throws; each failure's reason goes to the
 * logger, and a null result is for the caller to report.
 */
export async function detectLocalServer(
  options: DetectLocalServerOptions = {},
): Promise<DetectedLocalServer | null> {
  const { baseUrls = ['http://127.0.0.1:11434/v1'], timeoutMs = 300, logger = silentLogger } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  for (const raw of baseUrls) {
    const baseUrl = raw.replace(/\/+$/, '');
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const response = await fetchImpl(`${baseUrl}/models`, {
        signal,
        headers: { accept: 'application/json' },
      });
      if (!response.ok) {
        // Drain so the connection is released.
        await response.body?.cancel();
        logger.debug('no OpenAI-compatible server', {
          baseUrl,
          reason: `GET /models answered ${response.status}`,
        });
        continue;
      }
      const parsed = ModelListSchema.safeParse(await response.json());
      if (!parsed.success) {
        logger.debug('no OpenAI-compatible server', {
          baseUrl,
          reason: 'GET /models is not an OpenAI model list',
        });
        continue;
      }
      return { baseUrl, models: parsed.data.data.map((m) => m.id) };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      logger.debug('no OpenAI-compatible server', { baseUrl, reason });
    }
  }
  return null;
}
