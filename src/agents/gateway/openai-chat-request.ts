import type {
  JSONSchema7,
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3ToolChoice,
} from '@ai-sdk/provider';
import { z } from 'zod';
import { AgentdError } from '../../core/errors.js';
import './gateway-error-codes.js';

// Bounds on hostile input: far above what a real conversation sends, far below what hurts the server.
const MAX_TEXT = 2_000_000;
const MAX_MESSAGES = 2_000;
const MAX_TOOLS = 128;
const NAME = z.string().min(1).max(256);

const TextPart = z.object({ type: z.literal('text'), text: z.string().max(MAX_TEXT) });
const Text = z.union([z.string().max(MAX_TEXT), z.array(TextPart).max(1_000)]);
const ImagePart = z.object({ type: z.literal('image_url'), image_url: z.unknown() });
const UserPart = z.union([TextPart, ImagePart]);

const ToolCall = z.object({
  id: z.string().min(1).max(256),
  type: z.literal('function'),
  function: z.object({ name: NAME, arguments: z.string().max(MAX_TEXT) }),
});

const Message = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: Text, name: NAME.optional() }),
  z.object({
    role: z.literal('user'),
    content: z.union([z.string().max(MAX_TEXT), z.array(UserPart).max(1_000)]),
    name: NAME.optional(),
  }),
  z.object({
    role: z.literal('assistant'),
    content: Text.nullish(),
    tool_calls: z.array(ToolCall).max(MAX_TOOLS).optional(),
    refusal: z.string().max(MAX_TEXT).nullish(),
    name: NAME.optional(),
  }),
  z.object({ role: z.literal('tool'), content: Text, tool_call_id: z.string().min(1).max(256) }),
]);

const Tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a function name is 1-64 letters, digits, _ or -'),
    description: z.string().max(100_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().max(256),
      description: z.string().max(100_000).optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** A field a client may send that the gateway cannot honour: refused with a 400 rather than ignored. */
const refused = (why: string) =>
  z
    .unknown()
    .refine((value) => value === undefined || value === null, why)
    .optional();

/**
 * The body of `POST /chat/completions`. Unknown top-level fields are refused (as OpenAI does), fields
 * the gateway honours are validated, harmless ones (`user`, `metadata`, `store`, `service_tier`,
 * `parallel_tool_calls`, `reasoning_effort`) are accepted and ignored or used for grouping, and those
 * it cannot honour (`n` > 1, log-probabilities, audio, predictions) are refused with a clear message.
 */
export const ChatCompletionRequestSchema = z.strictObject({
  model: z.string().min(1).max(256),
  messages: z.array(Message).min(1).max(MAX_MESSAGES),
  tools: z.array(Tool).max(MAX_TOOLS).optional(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.object({ type: z.literal('function'), function: z.object({ name: NAME }) }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: ResponseFormat.optional(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string().max(1_000), z.array(z.string().max(1_000)).max(4)]).nullish(),
  n: z
    .number()
    .int()
    .nullish()
    .refine(
      (n) => n === undefined || n === null || n === 1,
      'only n = 1 is supported: one answer per request',
    ),
  user: z.string().max(256).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  store: z.boolean().nullish(),
  service_tier: z.string().max(64).nullish(),
  reasoning_effort: z.string().max(64).nullish(),
  modalities: z
    .array(z.string())
    .nullish()
    .refine((m) => !m || (m.length === 1 && m[0] === 'text'), 'only the text modality is supported'),
  logprobs: z
    .boolean()
    .nullish()
    .refine((v) => v !== true, 'log-probabilities are not supported through the gateway'),
  top_logprobs: refused('log-probabilities are not supported through the gateway'),
  logit_bias: z
    .record(z.string(), z.number())
    .nullish()
    .refine((v) => !v || Object.keys(v).length === 0, 'logit_bias is not supported through the gateway'),
  audio: refused('audio output is not supported through the gateway'),
  prediction: refused('predicted outputs are not supported through the gateway'),
  web_search_options: refused('web search is not supported through the gateway'),
  functions: refused('the deprecated `functions` field is not supported; use `tools`'),
  function_call: refused('the deprecated `function_call` field is not supported; use `tool_choice`'),
});

/** A validated chat-completions request body. */
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** Parses a request body, or throws `gateway.invalid_request` naming the first offending field. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.join('.') ?? '';
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unrecognized request argument supplied: ${issue.keys.join(', ')}`
      : `${param ? `${param}: ` : ''}${issue?.message ?? 'invalid request'}`;
  throw new AgentdError({
    code: 'gateway.invalid_request',
    message,
    details: { param: issue?.code === 'unrecognized_keys' ? (issue.keys[0] ?? param) : param },
  });
}

/** The model call options of a request: its messages as a prompt, its tools, format and settings. */
export function toCallOptions(request: ChatCompletionRequest): LanguageModelV3CallOptions {
  const tools: LanguageModelV3FunctionTool[] = (request.tools ?? []).map(({ function: f }) => ({
    type: 'function',
    name: f.name,
    ...(f.description !== undefined ? { description: f.description } : {}),
    inputSchema: (f.parameters ?? { type: 'object', properties: {} }) as JSONSchema7,
  }));
  const format = request.response_format;
  const stop = request.stop;
  const maxOutputTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  return {
    prompt: toPrompt(request.messages),
    ...(tools.length > 0 ? { tools } : {}),
    ...(request.tool_choice !== undefined && tools.length > 0
      ? { toolChoice: toToolChoice(request.tool_choice) }
      : {}),
    ...(format?.type === 'json_object' ? { responseFormat: { type: 'json' } } : {}),
    ...(format?.type === 'json_schema'
      ? {
          responseFormat: {
            type: 'json',
            name: format.json_schema.name,
            ...(format.json_schema.description ? { description: format.json_schema.description } : {}),
            ...(format.json_schema.schema ? { schema: format.json_schema.schema as JSONSchema7 } : {}),
          },
        }
      : {}),
    ...(maxOutputTokens ? { maxOutputTokens } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.top_p != null ? { topP: request.top_p } : {}),
    ...(request.presence_penalty != null ? { presencePenalty: request.presence_penalty } : {}),
    ...(request.frequency_penalty != null ? { frequencyPenalty: request.frequency_penalty } : {}),
    ...(request.seed != null ? { seed: request.seed } : {}),
    ...(stop != null ? { stopSequences: typeof stop === 'string' ? [stop] : stop } : {}),
  };
}

function toToolChoice(choice: NonNullable<ChatCompletionRequest['tool_choice']>): LanguageModelV3ToolChoice {
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', toolName: choice.function.name };
}

function textOf(content: z.infer<typeof Text> | null | undefined): string {
  if (content == null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/** The OpenAI messages as a LanguageModelV3 prompt; a tool result is matched to its call's tool name. */
function toPrompt(messages: ChatCompletionRequest['messages']): LanguageModelV3Message[] {
  const toolNames = new Map<string, string>();
  const prompt: LanguageModelV3Message[] = [];
  for (const [index, message] of messages.entries()) {
    switch (message.role) {
      case 'system':
      case 'developer':
        prompt.push({ role: 'system', content: textOf(message.content) });
        break;
      case 'user': {
        const { content } = message;
        if (typeof content !== 'string' && content.some((part) => part.type !== 'text')) {
          throw new AgentdError({
            code: 'gateway.unsupported',
            message: `messages.${index}.content: only text parts are supported through the gateway (no images yet)`,
            details: { param: `messages.${index}.content` },
          });
        }
        const text =
          typeof content === 'string'
            ? content
            : content.map((part) => (part.type === 'text' ? part.text : '')).join('');
        prompt.push({ role: 'user', content: [{ type: 'text', text }] });
        break;
      }
      case 'assistant': {
        const text = textOf(message.content);
        const calls = (message.tool_calls ?? []).map((call) => {
          toolNames.set(call.id, call.function.name);
          return {
            type: 'tool-call' as const,
            toolCallId: call.id,
            toolName: call.function.name,
            input: parseArguments(call.function.arguments),
          };
        });
        prompt.push({
          role: 'assistant',
          content: [...(text ? [{ type: 'text' as const, text }] : []), ...calls],
        });
        break;
      }
      case 'tool':
        prompt.push({
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: message.tool_call_id,
              toolName: toolNames.get(message.tool_call_id) ?? 'tool',
              output: { type: 'text', value: textOf(message.content) },
            },
          ],
        });
        break;
    }
  }
  return prompt;
}

/** A tool call's arguments as the model wrote them: JSON when they parse, else the text itself. */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Models sometimes write arguments that are not JSON; they go back as written.
    return text;
  }
}
