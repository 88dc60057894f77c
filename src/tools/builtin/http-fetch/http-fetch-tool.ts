import { z } from 'zod';
import { AgentdError } from '../../../core/errors.js';
import { guardedFetch } from '../../../security/index.js';
import type { NetGuard } from '../../../security/index.js';
import '../../tool-error-codes.js';
import { defineTool } from '../../define-tool.js';
import type { ToolDefinition } from '../../define-tool.js';
import { htmlToText } from './html-text.js';

/** What `http_fetch` returns to the model. */
export type HttpFetchOutput = {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  contentType: string;
  /** The page title of an HTML answer, else null. */
  title: string | null;
  /** The body as text: HTML reduced to its readable text, other text types as they are. */
  text: string;
  /** Whether the body was cut off at the byte limit. */
  truncated: boolean;
};

/** Header names (RFC 9110 tokens) and values (no line breaks) a model may send. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const HEADER_VALUE = /^[^\r\n\0]{0,4000}$/;

const InputSchema = z.strictObject({
  url: z.string().min(1).max(4096).describe('absolute http(s) URL'),
  method: z.enum(['GET', 'POST']).default('GET'),
  headers: z
    .record(z.string().regex(HEADER_NAME), z.string().regex(HEADER_VALUE))
    .refine((headers) => Object.keys(headers).length <= 30, 'at most 30 headers')
    .optional()
    .describe('request headers, e.g. {"accept": "application/json"}'),
  body: z
    .string()
    .max(1024 * 1024)
    .optional()
    .describe('request body, for POST'),
  maxBytes: z.number().int().positive().optional().describe('bytes of the answer to read at most'),
  timeoutMs: z.number().int().positive().optional().describe('time limit, ms'),
});

/** Content types read as text; HTML is reduced to its readable text. */
function textKind(contentType: string): 'html' | 'text' | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type.startsWith('text/')) return 'text';
  if (
    /^application\/(json|xml|javascript|ecmascript|x-ndjson|ld\+json|yaml|x-yaml|toml|csv|graphql)$/.test(
      type,
    )
  ) {
    return 'text';
  }
  if (/^application\/[a-z0-9.+-]+\+(json|xml)$/.test(type)) return 'text';
  return undefined;
}

/**
 * The `http_fetch` tool over `guard`: GET or POST a public http(s) URL (private, loopback,
 * link-local and other special addresses are refused unless `security.net.allow` opens them) and
 * read text, JSON, XML or HTML (as readable text). An agent gets it only when its spec lists it.
 */
export function createHttpFetchTool(options: {
  guard: NetGuard;
}): ToolDefinition<z.infer<typeof InputSchema>, HttpFetchOutput> {
  const { guard } = options;
  return defineTool({
    name: 'http_fetch',
    description:
      'Fetch a web page or API over http(s) with GET or POST and return its text (HTML reduced to readable ' +
      `text; JSON, XML and other text as is). Only public addresses on ports ${guard.config.ports.join(', ')}; ` +
      `answers over ${guard.config.maxBytes} bytes are cut off (truncated: true). Binary content is refused.`,
    input: InputSchema,
    // A GET reads; a POST may change something on the other side, so a crash mid-call is not re-sent blindly.
    idempotent: (input) => input.method !== 'POST',
    async execute(input, context) {
      if (input.body !== undefined && input.method !== 'POST') {
        throw new AgentdError({
          code: 'tool.invalid_input',
          message: 'a body is only sent with POST',
          path: 'body',
        });
      }
      const response = await guardedFetch(guard, input.url, {
        method: input.method,
        ...(input.headers ? { headers: input.headers } : {}),
        ...(input.body !== undefined ? { body: input.body } : {}),
        ...(input.maxBytes ? { maxBytes: input.maxBytes } : {}),
        ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}),
        signal: context.signal,
      });
      const contentType = response.headers['content-type'] ?? '';
      const kind = contentType === '' ? sniff(response.body) : textKind(contentType);
      if (kind === undefined) {
        throw new AgentdError({
          code: 'net.unsupported_content',
          message: `${response.url} answered ${response.status} with '${contentType.slice(0, 100) || 'binary content'}', which is not text`,
        });
      }
      const decoded = decode(response.body, contentType);
      const page = kind === 'html' ? htmlToText(decoded) : { title: undefined, text: decoded };
      return {
        url: response.url,
        status: response.status,
        contentType,
        title: page.title ?? null,
        text: page.text,
        truncated: response.truncated,
      };
    },
  });
}

/** A body with no content type is text when it has no NUL byte in its first KiB. */
function sniff(body: Buffer): 'text' | undefined {
  return body.subarray(0, 1024).includes(0) ? undefined : 'text';
}

function decode(body: Buffer, contentType: string): string {
  const charset = /charset="?([a-zA-Z0-9_.:-]{1,40})/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    // An unknown charset label: UTF-8 with replacement characters is still readable.
    return new TextDecoder('utf-8').decode(body);
  }
}
