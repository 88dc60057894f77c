import { createHash } from 'node:crypto';
import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3FunctionTool,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { AgentdError } from '../../core/errors.js';
import type { LanguageModel } from '../../models/index.js';
import type { Objective } from '../../router/index.js';
import type { AgentRouting, GatewayRequest } from '../agent-runner.js';
import { governedCall } from '../governed-call.js';
import type { GovernedCallOutput, GovernedCallRequest } from '../governed-call.js';
import { gatewayJournal } from './gateway-journal.js';
import './gateway-error-codes.js';

/** The router's virtual models: the router picks the model, by the agent's objective or the named one. */
export const VIRTUAL_MODELS: Readonly<Record<string, Objective | 'agent'>> = {
  'agentd/auto': 'agent',
  'agentd/cheapest': 'cheapest',
  'agentd/balanced': 'balanced',
  'agentd/best': 'best',
};

/** Options of {@link governedModel}. */
export interface GovernedModelOptions {
  /**
   * The model the caller asked for: a model id is pinned (the router adds its fallbacks), a virtual
   * model lets the router choose; absent, the agent's own routing applies.
   */
  model?: string | undefined;
}

/**
 * A LanguageModelV3 whose every call is one of the agent's governed calls (see governedCall),
 * journaled in the agent's gateway journal by order and request hash: what the `ai-sdk` kind gets,
 * and what the HTTP gateway translates the OpenAI wire to. Tool calls are returned, never executed:
 * the framework runs its own tools.
 */
export function governedModel(request: GatewayRequest, options: GovernedModelOptions = {}): LanguageModel {
  const { agent, context: ctx, agentSpan } = request;
  const journal = gatewayJournal(ctx.durable, agent);
  const routing = routingFor(ctx.routing(agent), options.model);
  const modelId = options.model ?? routing.pinned ?? 'agentd/auto';

  // The task kind is classified once per run, from its first request, as the native loop does.
  let kind = routing.kind;
  const call = (options: LanguageModelV3CallOptions, listener?: Parameters<typeof governedCall>[4]) => {
    kind ??= ctx.router.classify(lastUserText(options.prompt)).kind;
    const prepared = toGovernedCall(request, routing, options, kind);
    return journal.run(prepared.name, (durable) =>
      governedCall(agent, ctx, agentSpan, prepared, { durable, ...listener }),
    );
  };

  return {
    specificationVersion: 'v3',
    provider: 'agentd',
    modelId,
    supportedUrls: {},
    async doGenerate(options): Promise<LanguageModelV3GenerateResult> {
      const output = await call(options);
      return {
        content: contentOf(output),
        finishReason: finishReasonOf(output),
        usage: usageOf(output),
        response: { modelId: output.model },
        warnings: [],
      };
    },
    async doStream(options) {
      let controller!: ReadableStreamDefaultController<LanguageModelV3StreamPart>;
      const stream = new ReadableStream<LanguageModelV3StreamPart>({ start: (c) => (controller = c) });
      let sent = '';
      let textOpen = false;
      let broken = false;
      const sendText = (delta: string) => {
        if (!textOpen) controller.enqueue({ type: 'text-start', id: 'text' });
        textOpen = true;
        sent += delta;
        controller.enqueue({ type: 'text-delta', id: 'text', delta });
      };
      controller.enqueue({ type: 'stream-start', warnings: [] });
      const fail = (error: unknown) => {
        if (broken) return;
        broken = true;
        controller.enqueue({ type: 'error', error });
        controller.close();
      };
      call(options, {
        listener: {
          text: (delta) => {
            if (!broken) sendText(delta);
          },
          // What the client was sent cannot be taken back: its stream ends with an error instead.
          restart: () =>
            fail(
              new AgentdError({
                code: 'gateway.stream_restarted',
                message: 'the model’s answer broke off after it had started; send the request again',
              }),
            ),
        },
      }).then((output) => {
        if (broken) return;
        // A replayed answer (or the part of it the live stream did not carry) is sent at once.
        if (output.text.startsWith(sent) && output.text.length > sent.length) {
          sendText(output.text.slice(sent.length));
        }
        if (textOpen) controller.enqueue({ type: 'text-end', id: 'text' });
        for (const part of contentOf(output)) {
          if (part.type !== 'tool-call') continue;
          controller.enqueue({ type: 'tool-input-start', id: part.toolCallId, toolName: part.toolName });
          controller.enqueue({ type: 'tool-input-delta', id: part.toolCallId, delta: part.input });
          controller.enqueue({ type: 'tool-input-end', id: part.toolCallId });
          controller.enqueue(part);
        }
        controller.enqueue({ type: 'response-metadata', modelId: output.model });
        controller.enqueue({ type: 'finish', finishReason: finishReasonOf(output), usage: usageOf(output) });
        controller.close();
      }, fail);
      return { stream };
    },
  };
}

/** The routing of a call that asked for `model`: pinned, a virtual model's objective, or the agent's. */
function routingFor(agentRouting: AgentRouting, model: string | undefined): AgentRouting {
  if (model === undefined) return agentRouting;
  const virtual = VIRTUAL_MODELS[model];
  if (virtual === undefined) return { ...agentRouting, pinned: model, strategy: 'single' };
  return {
    ...agentRouting,
    pinned: undefined,
    strategy: 'single',
    ...(virtual === 'agent' ? {} : { objective: virtual }),
  };
}

/** The governed call of a model call's options; named by the hash of everything that shapes the answer. */
function toGovernedCall(
  request: GatewayRequest,
  routing: AgentRouting,
  options: LanguageModelV3CallOptions,
  kind: string,
): GovernedCallRequest {
  const { agent, context: ctx } = request;
  const toolSet: LanguageModelV3FunctionTool[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type !== 'function') {
      throw new AgentdError({
        code: 'gateway.unsupported',
        message: `provider-defined tool '${tool.name}' is not supported through the gateway; use function tools`,
      });
    }
    toolSet.push(tool);
  }
  const settings = {
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.topP !== undefined ? { topP: options.topP } : {}),
    ...(options.stopSequences?.length ? { stopSequences: options.stopSequences } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.presencePenalty !== undefined ? { presencePenalty: options.presencePenalty } : {}),
    ...(options.frequencyPenalty !== undefined ? { frequencyPenalty: options.frequencyPenalty } : {}),
  };
  const responseFormat =
    options.responseFormat?.type === 'json'
      ? options.responseFormat.schema
        ? { schema: options.responseFormat.schema }
        : {}
      : undefined;
  const maxOutputTokens = options.maxOutputTokens ?? agent.maxOutputTokens ?? ctx.defaultMaxOutputTokens;
  const toolChoice = toolSet.length > 0 ? options.toolChoice : undefined;
  const shape = {
    model: routing.pinned ?? routing.objective ?? null,
    prompt: options.prompt,
    tools: toolSet,
    toolChoice: toolChoice ?? null,
    responseFormat: responseFormat ?? null,
    maxOutputTokens,
    settings,
  };
  const hash = createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 24);
  return {
    name: `gateway:${agent.name}:${hash}`,
    prompt: options.prompt,
    toolSet,
    toolChoice,
    responseFormat,
    maxOutputTokens,
    settings,
    kind,
    routing,
    rejected: [],
  };
}

function lastUserText(prompt: LanguageModelV3CallOptions['prompt']): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i];
    if (message?.role !== 'user') continue;
    return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
  }
  return '';
}

function contentOf(output: GovernedCallOutput): (LanguageModelV3Content & { type: 'text' | 'tool-call' })[] {
  return [
    ...(output.text ? [{ type: 'text' as const, text: output.text }] : []),
    ...output.toolCalls.map((call) => ({
      type: 'tool-call' as const,
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      input: JSON.stringify(call.input),
    })),
  ];
}

function finishReasonOf(output: GovernedCallOutput): LanguageModelV3FinishReason {
  const unified = (output.finishReason ??
    (output.toolCalls.length > 0 ? 'tool-calls' : 'stop')) as LanguageModelV3FinishReason['unified'];
  return { unified, raw: undefined };
}

function usageOf(output: GovernedCallOutput): LanguageModelV3Usage {
  return {
    inputTokens: {
      total: output.inputTokens,
      noCache: undefined,
      cacheRead: undefined,
      cacheWrite: undefined,
    },
    outputTokens: { total: output.outputTokens, text: undefined, reasoning: undefined },
  };
}
