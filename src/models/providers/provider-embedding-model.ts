import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { EmbeddingModelV3 } from '@ai-sdk/provider';
import { APICallError, embedMany, RetryError, wrapEmbeddingModel } from 'ai';
import { AgentdError, ModelCallError } from '../../core/errors.js';
import '../../config/config-error-codes.js';
import '../model-error-codes.js';
import type { EmbeddingModel } from '../embedding-model.js';
import { providerApiKey } from './provider-api-key.js';

// Passed explicitly so the AI SDK does not fall back to reading OPENAI_BASE_URL itself.
const OPENAI_BASE_URL = 'https://api.openai.com/v1';
// A bulk import of thousands of memories would otherwise open one connection per batch at once
// (the SDK's default is unbounded) and trip the provider's rate limit.
const DEFAULT_MAX_PARALLEL_CALLS = 4;
const DEFAULT_TIMEOUT_MS = 60_000;

/** Options of {@link createProviderEmbeddingModel}. */
export interface ProviderEmbeddingModelOptions {
  /** The protocol flavour: OpenAI's hosted API, or any server speaking its embeddings protocol (Ollama, vLLM, …). */
  provider: 'openai' | 'openai-compatible';
  /** The configured provider name, the first part of the id (e.g. `ollama`). Default: `provider`. */
  name?: string;
  /** The model id on that server, e.g. `text-embedding-3-small` or `nomic-embed-text`. */
  model: string;
  /** The server's base URL ending in `/v1`. Default for `openai`: the hosted API; required for `openai-compatible`. */
  baseUrl?: string;
  /** The secret value. Required for the hosted OpenAI API; optional with a baseUrl (local servers). */
  apiKey?: string;
  /** Extra HTTP headers (values resolved, may be secrets). */
  headers?: Record<string, string>;
  /**
   * The vector size. When set it is sent as the request's `dimensions` (OpenAI's text-embedding-3
   * models shorten their vectors to it; leave it unset for models that cannot, such as
   * text-embedding-ada-002) and every answer is checked against it. When unset it is learned from
   * the first answer.
   */
  dimensions?: number;
  /**
   * Most texts per HTTP request. Default: the SDK's limit for the protocol (2048 texts, and for
   * OpenAI also 300 kB of input). Lower it for servers with smaller batches (Hugging Face TEI: 32).
   */
  batchSize?: number;
  /** Requests in flight at once for a large input. Default 4. */
  maxParallelCalls?: number;
  /** Retries per request on retryable failures (429, 5xx, connection errors), with backoff. Default 2. */
  maxRetries?: number;
  /** Upper bound on one `embed()` call, retries included, in milliseconds. Default 60 000. */
  timeoutMs?: number;
}

/**
 * An {@link EmbeddingModel} served over the OpenAI embeddings protocol through the AI SDK.
 *
 * Its id is `<name>/<model>@<dimensions>`, e.g. `openai/text-embedding-3-small@1536` or
 * `ollama/nomic-embed-text@768`: the same model shortened to another size is another vector space.
 * With `dimensions` configured, `id` and `dimensions` are known at once; otherwise they are learned
 * from the first successful `embed()` and reading either before then throws
 * `embedding.dimensions_unknown` — a placeholder would be stored with vectors and never match again.
 * Failures are {@link ModelCallError}s (`embedding.auth`, `embedding.timeout`, `embedding.unreachable`,
 * `embedding.failed`, `embedding.invalid_response`, `embedding.dimension_mismatch`) naming the model
 * and server, with the API key and header values redacted.
 */
export function createProviderEmbeddingModel(options: ProviderEmbeddingModelOptions): EmbeddingModel {
  const name = options.name ?? options.provider;
  const label = `${name}/${options.model}`;
  checkPositiveInteger(options.dimensions, 'dimensions', label);
  checkPositiveInteger(options.batchSize, 'batchSize', label);
  checkPositiveInteger(options.maxParallelCalls, 'maxParallelCalls', label);
  checkPositiveInteger(options.timeoutMs, 'timeoutMs', label);
  if (
    options.maxRetries !== undefined &&
    !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0)
  ) {
    throw invalidOption(label, 'maxRetries', 'must be a whole number ≥ 0');
  }

  const { model: sdkModel, baseUrl, providerOptions } = createSdkModel(options, name);
  const model =
    options.batchSize === undefined
      ? sdkModel
      : // embedMany splits by the model's own limit; the override makes it split by ours instead.
        wrapEmbeddingModel({
          model: sdkModel,
          middleware: { specificationVersion: 'v3', overrideMaxEmbeddingsPerCall: () => options.batchSize },
        });
  const secrets = [options.apiKey, ...Object.values(options.headers ?? {})].filter(
    // Short values (e.g. `1`) would redact ordinary words out of messages and protect nothing.
    (value): value is string => value !== undefined && value.length >= 8,
  );
  const where = `embedding model ${label} at ${baseUrl}`;
  let dimensions = options.dimensions;

  const knownDimensions = (): number => {
    if (dimensions !== undefined) return dimensions;
    throw new AgentdError({
      code: 'embedding.dimensions_unknown',
      message: `${where}: its vector size is not known until the first embed() call; configure dimensions to know it up front`,
    });
  };

  return {
    get id() {
      return `${label}@${knownDimensions()}`;
    },
    get dimensions() {
      return knownDimensions();
    },
    async embed(texts) {
      if (texts.length === 0) return [];
      let embeddings: number[][];
      try {
        const result = await embedMany({
          model,
          // The API refuses empty strings; a space embeds as "nothing said", as the offline model does.
          values: texts.map((text) => (text === '' ? ' ' : text)),
          maxRetries: options.maxRetries ?? 2,
          maxParallelCalls: options.maxParallelCalls ?? DEFAULT_MAX_PARALLEL_CALLS,
          abortSignal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
          ...(providerOptions ? { providerOptions } : {}),
        });
        embeddings = result.embeddings;
      } catch (error) {
        throw embeddingError(error, { where, secrets, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
      }
      if (embeddings.length !== texts.length) {
        throw new ModelCallError({
          code: 'embedding.invalid_response',
          retryable: false,
          message: `${where}: asked for ${texts.length} vectors, got ${embeddings.length}`,
        });
      }
      // Unconfigured, the first vector sets the size; a server that changes it later (another model
      // loaded under the same name) would mix vector spaces, so that is an error, not a new size.
      const expected = dimensions ?? embeddings[0]?.length ?? 0;
      const wrong = embeddings.findIndex((vector) => vector.length !== expected || vector.length === 0);
      if (wrong !== -1) {
        throw new ModelCallError({
          code: 'embedding.dimension_mismatch',
          retryable: false,
          message: `${where}: expected vectors of ${expected} dimensions, got ${embeddings[wrong]?.length ?? 0} for text ${wrong}`,
        });
      }
      dimensions = expected;
      return embeddings.map((vector) => Float32Array.from(vector));
    },
  };
}

function createSdkModel(
  options: ProviderEmbeddingModelOptions,
  name: string,
): {
  model: EmbeddingModelV3;
  baseUrl: string;
  providerOptions: Record<string, { dimensions: number }> | undefined;
} {
  const headers = options.headers ? { headers: options.headers } : {};
  if (options.provider === 'openai') {
    const baseUrl = options.baseUrl ?? OPENAI_BASE_URL;
    const apiKey = providerApiKey(
      {
        name,
        type: 'openai',
        origin: 'config',
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      },
      'OPENAI_API_KEY',
    );
    const openai = createOpenAI({ baseURL: baseUrl, apiKey, ...headers });
    return {
      model: openai.embedding(options.model),
      baseUrl,
      providerOptions:
        options.dimensions === undefined ? undefined : { openai: { dimensions: options.dimensions } },
    };
  }
  if (!options.baseUrl) {
    throw new AgentdError({
      code: 'config.invalid',
      path: `providers.${name}.baseUrl`,
      message: `providers.${name}.baseUrl: an openai-compatible provider needs the server's base URL, e.g. http://127.0.0.1:11434/v1`,
    });
  }
  const provider = createOpenAICompatible({
    name,
    baseURL: options.baseUrl,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...headers,
  });
  return {
    model: provider.embeddingModel(options.model),
    baseUrl: options.baseUrl,
    // `openaiCompatible` is read whatever the provider is named.
    providerOptions:
      options.dimensions === undefined ? undefined : { openaiCompatible: { dimensions: options.dimensions } },
  };
}

/** Turns an AI SDK failure into a ModelCallError that names the model and server and holds no secret. */
function embeddingError(
  error: unknown,
  context: { where: string; secrets: string[]; timeoutMs: number },
): ModelCallError {
  const { where, secrets } = context;
  const redact = (text: string) =>
    secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  // After retries the SDK throws a RetryError; the last attempt's error says what went wrong.
  const last = RetryError.isInstance(error) ? error.lastError : error;
  const attempts = RetryError.isInstance(error) ? ` (after ${error.errors.length} attempts)` : '';
  // A cause whose text contains a secret (a server echoing the key) is dropped rather than kept for logs.
  const safeCause = containsSecret(last, secrets) ? {} : { cause: last };

  if (last instanceof Error && last.name === 'TimeoutError') {
    return new ModelCallError({
      code: 'embedding.timeout',
      retryable: true,
      message: `${where}: no answer within ${context.timeoutMs} ms`,
      ...safeCause,
    });
  }
  if (APICallError.isInstance(last)) {
    const status = last.statusCode;
    const reason = redact(last.message);
    if (status === 401 || status === 403) {
      return new ModelCallError({
        code: 'embedding.auth',
        retryable: false,
        message: `${where}: the server refused the credentials (HTTP ${status}): ${reason}; check the provider's apiKey`,
        details: { status },
        ...safeCause,
      });
    }
    if (status === undefined) {
      return new ModelCallError({
        code: 'embedding.unreachable',
        retryable: true,
        message: `${where}: cannot reach the server${attempts}: ${reason}`,
        ...safeCause,
      });
    }
    return new ModelCallError({
      code: 'embedding.failed',
      retryable: last.isRetryable,
      message: `${where}: HTTP ${status}${attempts}: ${reason}`,
      details: { status },
      ...safeCause,
    });
  }
  // Anything else the SDK throws is an answer it could not parse (wrong JSON shape and the like).
  const message = last instanceof Error ? last.message : String(last);
  return new ModelCallError({
    code: 'embedding.invalid_response',
    retryable: false,
    message: `${where}: unusable answer: ${redact(message)}`,
    ...safeCause,
  });
}

function containsSecret(error: unknown, secrets: string[]): boolean {
  if (secrets.length === 0) return false;
  const texts: string[] = [];
  if (error instanceof Error) texts.push(error.message);
  else texts.push(String(error));
  if (APICallError.isInstance(error) && error.responseBody !== undefined) texts.push(error.responseBody);
  return texts.some((text) => secrets.some((secret) => text.includes(secret)));
}

function checkPositiveInteger(value: number | undefined, option: string, label: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
    throw invalidOption(label, option, 'must be a whole number > 0');
  }
}

function invalidOption(label: string, option: string, rule: string): AgentdError {
  return new AgentdError({
    code: 'embedding.invalid_options',
    message: `embedding model ${label}: ${option} ${rule}`,
  });
}
