import { randomBytes } from 'node:crypto';
import type {
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { toAgentdError } from '../../core/errors.js';
import type { AgentdError } from '../../core/errors.js';
import './gateway-error-codes.js';

/** An id in OpenAI's style (`chatcmpl-…`). */
export function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}

/** OpenAI's finish reason for a model's. */
export function finishReasonOf(reason: LanguageModelV3FinishReason): string {
  switch (reason.unified) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** OpenAI's usage object. */
export function usageOf(usage: LanguageModelV3Usage): {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
} {
  const prompt = usage.inputTokens.total ?? 0;
  const completion = usage.outputTokens.total ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** A non-streamed `chat.completion` from a model's answer. */
export function completionOf(
  result: LanguageModelV3GenerateResult,
  request: { model: string; created: number },
): Record<string, unknown> {
  let text = '';
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for (const part of result.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'tool-call') {
      toolCalls.push({
        id: part.toolCallId,
        type: 'function',
        function: { name: part.toolName, arguments: part.input },
      });
    }
  }
  return {
    id: completionId(),
    object: 'chat.completion',
    created: request.created,
    model: result.response?.modelId ?? request.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || (toolCalls.length > 0 ? null : ''),
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(result.finishReason),
      },
    ],
    usage: usageOf(result.usage),
  };
}

/**
 * Turns a model's stream parts into OpenAI `chat.completion.chunk` SSE lines: a first chunk with the
 * role, text and tool-call deltas (a tool call's id and name first, then its arguments), a last chunk
 * with the finish reason, the usage chunk when asked for, and `[DONE]`. An error part ends the stream
 * with an OpenAI error object (what the official clients raise mid-stream).
 */
export function createChunkEncoder(request: { model: string; created: number; includeUsage: boolean }): {
  start(): string;
  encode(part: LanguageModelV3StreamPart): string;
} {
  const id = completionId();
  let model = request.model;
  const toolIndex = new Map<string, number>();
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    line({
      id,
      object: 'chat.completion.chunk',
      created: request.created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  return {
    start: () => chunk({ role: 'assistant', content: '', refusal: null }),
    encode(part) {
      switch (part.type) {
        case 'text-delta':
          return part.delta ? chunk({ content: part.delta }) : '';
        case 'tool-input-start': {
          const index = toolIndex.size;
          toolIndex.set(part.id, index);
          return chunk({
            tool_calls: [
              { index, id: part.id, type: 'function', function: { name: part.toolName, arguments: '' } },
            ],
          });
        }
        case 'tool-input-delta':
          return chunk({
            tool_calls: [{ index: toolIndex.get(part.id) ?? 0, function: { arguments: part.delta } }],
          });
        case 'response-metadata':
          if (part.modelId) model = part.modelId;
          return '';
        case 'finish': {
          let out = chunk({}, finishReasonOf(part.finishReason));
          if (request.includeUsage) {
            out += line({
              id,
              object: 'chat.completion.chunk',
              created: request.created,
              model,
              choices: [],
              usage: usageOf(part.usage),
            });
          }
          return `${out}data: [DONE]\n\n`;
        }
        case 'error':
          return line(openAiError(part.error).body);
        default:
          return '';
      }
    },
  };
}

function line(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** OpenAI's error type and code for each agentd category (and a few codes). */
function openAiKind(error: AgentdError): { status: number; type: string; code: string } {
  if (error.code.startsWith('budget.'))
    return { status: 402, type: 'insufficient_quota', code: 'budget_exceeded' };
  switch (error.category) {
    case 'invalid':
    case 'too_large':
    case 'unsupported':
    case 'refused':
    case 'guard':
      return {
        status: error.category === 'too_large' ? 413 : 400,
        type: 'invalid_request_error',
        code: error.code,
      };
    case 'not_found':
      return {
        status: 404,
        type: 'invalid_request_error',
        code: error.code === 'gateway.model_not_found' ? 'model_not_found' : error.code,
      };
    case 'unauthenticated':
      return { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' };
    case 'forbidden':
      return { status: 403, type: 'permission_error', code: error.code };
    case 'rate_limited':
      return { status: 429, type: 'rate_limit_exceeded', code: error.code };
    // The task stopped (cancelled, interrupted, out of steps): its key will not work again.
    case 'halt':
    case 'conflict':
      return { status: 410, type: 'invalid_request_error', code: error.code };
    case 'upstream':
      return { status: 502, type: 'api_error', code: error.code };
    case 'unavailable':
      return { status: 503, type: 'api_error', code: error.code };
    default:
      return { status: 500, type: 'server_error', code: error.code };
  }
}

/** An error in OpenAI's shape (`{error:{message,type,param,code}}`) with its HTTP status; never a stack. */
export function openAiError(thrown: unknown): {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string } };
} {
  const error = toAgentdError(thrown);
  const kind = openAiKind(error);
  const param = error.details?.['param'];
  return {
    status: kind.status,
    body: {
      error: {
        message: kind.status === 500 ? 'internal error; see the server log' : error.message,
        type: kind.type,
        param: typeof param === 'string' ? param : null,
        code: kind.code,
      },
    },
  };
}
