import type {
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
} from '@ai-sdk/provider';
import { APICallError } from '@ai-sdk/provider';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { z } from 'zod';
import { AgentdError, toAgentdError } from '../core/errors.js';
import type { Json } from '../core/json.js';
import { observeModelCalls } from '../models/index.js';
import type { LanguageModel, ModelInfo } from '../models/index.js';
import type { AnyTool } from '../tools/index.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle } from '../trace/index.js';
import type { AgentContext, AgentInput, AgentResult, AgentRunner } from './agent-runner.js';
import type { AgentSpec } from './agent-spec.js';

/** What a model step journals: enough to continue the loop and re-emit its events on replay. */
interface ModelStepOutput {
  text: string;
  toolCalls: { toolCallId: string; toolName: string; input: Json }[];
  messages: Json[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  taskCostUsd: number;
  [key: string]: Json;
}

/** What a tool step journals: the result fed back to the model, or the error it is told about. */
type ToolStepOutput = { ok: true; output: Json } | { ok: false; error: { code: string; message: string } };

/**
 * agentd's own agent loop: call the model, run the tools it asks for, feed the results back,
 * until it answers without tool calls or reaches its step cap. Every model call and every tool
 * call is a durable step, so a resumed task continues where it stopped.
 */
export const nativeAgentRunner: AgentRunner = {
  async run(agent, input, ctx) {
    const span = ctx.tracer.startSpan(`invoke_agent ${agent.name}`, {
      kind: 'agent',
      taskId: ctx.durable.taskId,
      parent: ctx.parentSpan,
      attributes: { [ATTR.operationName]: 'invoke_agent', [ATTR.agentName]: agent.name },
    });
    try {
      const result = await loop(agent, input, ctx, span);
      span.end();
      return result;
    } catch (error) {
      const failure = toAgentdError(error);
      span.end({ code: failure.code, message: failure.message });
      throw failure;
    }
  },
};

async function loop(
  agent: AgentSpec,
  input: AgentInput,
  ctx: AgentContext,
  agentSpan: SpanHandle,
): Promise<AgentResult> {
  const tools = ctx.tools.select(agent.tools);
  const { model, info } = ctx.resolveModel(agent);
  const toolSet = toToolSet(tools, info, agent);
  const messages: LanguageModelV3Message[] = [
    { role: 'user', content: [{ type: 'text', text: input.prompt }] },
  ];
  const maxSteps = agent.maxSteps ?? ctx.defaultMaxSteps;

  for (let turn = 1; turn <= maxSteps; turn++) {
    const step = await modelStep(agent, ctx, agentSpan, { model, info, toolSet, messages, turn });
    messages.push(...(step.messages as unknown as LanguageModelV3Message[]));
    if (step.toolCalls.length === 0) return { agent: agent.name, output: step.text };

    for (const call of step.toolCalls) {
      const result = await toolStep(agent, ctx, agentSpan, call, tools);
      messages.push({
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: call.toolCallId,
            toolName: call.toolName,
            output: result.ok
              ? { type: 'json', value: result.output as NonNullable<Json> }
              : { type: 'error-text', value: `${result.error.code}: ${result.error.message}` },
          },
        ],
      });
    }
  }
  throw new AgentdError({
    code: 'agent.max_steps',
    message: `agent '${agent.name}' reached its step cap (${maxSteps} model calls) without a final answer`,
    details: { agent: agent.name, maxSteps },
  });
}

function modelStep(
  agent: AgentSpec,
  ctx: AgentContext,
  agentSpan: SpanHandle,
  call: {
    model: LanguageModel;
    info: ModelInfo;
    toolSet: LanguageModelV3FunctionTool[];
    messages: LanguageModelV3Message[];
    turn: number;
  },
): Promise<ModelStepOutput> {
  const taskId = ctx.durable.taskId;
  const name = `model:${agent.name}:${call.turn}`;
  return ctx.durable.step<ModelStepOutput>(
    name,
    async ({ seq, signal }) => {
      const metered = meterModel(call.model, { agent, ctx, agentSpan, info: call.info, seq });

      const prompt: LanguageModelV3Prompt =
        agent.instructions || agent.role
          ? [{ role: 'system', content: systemPrompt(agent) }, ...call.messages]
          : call.messages;
      // The model is called at the provider level: the loop already orchestrates steps, tools and
      // the journal, and the AI SDK's streamText pipeline costs more than everything else agentd
      // does around a call (ADR 0006). Retries go through cockatiel. The call ends on the task's
      // signal (cancellation) or its own time limit, whichever comes first.
      const timeout = AbortSignal.timeout(ctx.modelTimeoutMs);
      const callSignal = AbortSignal.any([signal, timeout]);
      const failure = (error: unknown): never => {
        signal.throwIfAborted();
        if (timeout.aborted) {
          throw new AgentdError({
            code: 'model.timeout',
            category: 'upstream',
            message: `${call.info.id}: no complete answer within ${ctx.modelTimeoutMs} ms (agents.modelTimeoutMs)`,
          });
        }
        throw modelError(error, call.info);
      };
      const { stream } = await withRetries(ctx.maxRetries, callSignal, () =>
        metered.model.doStream({
          prompt,
          abortSignal: callSignal,
          ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
          ...(agent.maxOutputTokens !== undefined ? { maxOutputTokens: agent.maxOutputTokens } : {}),
          ...(call.toolSet.length > 0 ? { tools: call.toolSet, toolChoice: { type: 'auto' as const } } : {}),
        }),
      ).catch(failure);
      let text = '';
      const toolCalls: ModelStepOutput['toolCalls'] = [];
      const reader = stream.getReader();
      const read = () => reader.read().catch(failure);
      for (;;) {
        const { done, value: part } = await read();
        if (done) break;
        if (part.type === 'text-delta') {
          text += part.delta;
          ctx.emit('text-delta', { taskId, seq, agent: agent.name, delta: part.delta });
        } else if (part.type === 'tool-call') {
          toolCalls.push({
            toolCallId: part.toolCallId,
            toolName: part.toolName,
            input: parseToolInput(part.input),
          });
        } else if (part.type === 'error') {
          failure(part.error);
        }
      }
      signal.throwIfAborted();
      const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = [];
      if (text) content.push({ type: 'text', text });
      for (const tc of toolCalls) {
        content.push({
          type: 'tool-call',
          toolCallId: tc.toolCallId,
          toolName: tc.toolName,
          input: tc.input,
        });
      }
      return {
        text,
        toolCalls,
        messages: [{ role: 'assistant', content }] as unknown as Json[],
        ...metered.usage(),
      };
    },
    {
      onStart: (seq) => ctx.emit('step-start', { taskId, seq, name, kind: 'model', agent: agent.name }),
      onEnd: ({ seq, replayed, output: journaled, error }) => {
        const output = journaled as ModelStepOutput | undefined;
        ctx.emit('step-end', {
          taskId,
          seq,
          name,
          kind: 'model',
          agent: agent.name,
          replayed,
          ...(output
            ? {
                text: output.text,
                inputTokens: output.inputTokens,
                outputTokens: output.outputTokens,
                costUsd: output.costUsd,
                taskCostUsd: output.taskCostUsd,
              }
            : {}),
          ...(error ? { error } : {}),
        });
      },
    },
  );
}

/**
 * The model wrapped so that its call is a `chat` span under the agent's span and a priced ledger
 * row; `usage()` reports what the call used and cost once it has finished.
 */
function meterModel(
  model: LanguageModel,
  options: { agent: AgentSpec; ctx: AgentContext; agentSpan: SpanHandle; info: ModelInfo; seq: number },
): {
  model: LanguageModel;
  usage(): Pick<ModelStepOutput, 'inputTokens' | 'outputTokens' | 'costUsd' | 'taskCostUsd'>;
} {
  const { agent, ctx, agentSpan, info, seq } = options;
  const taskId = ctx.durable.taskId;
  let cost = { costUsd: 0, taskCostUsd: 0 };
  let usage = { inputTokens: 0, outputTokens: 0 };
  const observed = observeModelCalls(model, {
    start: () => {
      const span = ctx.tracer.startSpan(`chat ${info.model}`, {
        kind: 'model',
        taskId,
        parent: agentSpan,
        attributes: {
          [ATTR.operationName]: 'chat',
          [ATTR.providerName]: info.provider,
          [ATTR.requestModel]: info.model,
          [ATTR.agentName]: agent.name,
          [ATTR.stepSeq]: seq,
          [ATTR.simulated]: info.simulated,
          ...(agent.maxOutputTokens !== undefined ? { [ATTR.requestMaxTokens]: agent.maxOutputTokens } : {}),
        },
      });
      return {
        async finish(outcome) {
          usage = { inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens };
          cost = await ctx.recordCost({ agent: agent.name, info, outcome });
          span.setAttributes({
            [ATTR.inputTokens]: outcome.inputTokens,
            [ATTR.outputTokens]: outcome.outputTokens,
            [ATTR.finishReasons]: [outcome.finishReason],
            [ATTR.costUsd]: cost.costUsd,
            ...(outcome.responseModelId ? { [ATTR.responseModel]: outcome.responseModelId } : {}),
          });
          span.end();
        },
        fail(error) {
          const failure = toAgentdError(error);
          span.end({ code: failure.code, message: failure.message });
        },
      };
    },
  });
  return { model: observed, usage: () => ({ ...usage, ...cost }) };
}

function toolStep(
  agent: AgentSpec,
  ctx: AgentContext,
  agentSpan: SpanHandle,
  call: ModelStepOutput['toolCalls'][number],
  tools: AnyTool[],
): Promise<ToolStepOutput> {
  const taskId = ctx.durable.taskId;
  const name = `tool:${agent.name}:${call.toolName}`;
  return ctx.durable.step<ToolStepOutput>(
    name,
    async ({ seq, signal }) => {
      const span = ctx.tracer.startSpan(`execute_tool ${call.toolName}`, {
        kind: 'tool',
        taskId,
        parent: agentSpan,
        attributes: {
          [ATTR.operationName]: 'execute_tool',
          [ATTR.toolName]: call.toolName,
          [ATTR.toolCallId]: call.toolCallId,
          [ATTR.agentName]: agent.name,
          [ATTR.stepSeq]: seq,
        },
      });
      const result = await executeTool(tools, call, {
        taskId,
        workspace: ctx.workspace,
        signal,
        now: () => ctx.clock.now(),
      });
      span.end(result.ok ? undefined : result.error);
      return result;
    },
    {
      onStart: (seq) => ctx.emit('step-start', { taskId, seq, name, kind: 'tool', agent: agent.name }),
      onEnd: ({ seq, replayed, error }) =>
        ctx.emit('step-end', {
          taskId,
          seq,
          name,
          kind: 'tool',
          agent: agent.name,
          replayed,
          ...(error ? { error } : {}),
        }),
    },
  );
}

/** Runs a tool; its failures are returned (and shown to the model), never thrown into the loop. */
async function executeTool(
  tools: AnyTool[],
  call: ModelStepOutput['toolCalls'][number],
  context: Parameters<AnyTool['execute']>[1],
): Promise<ToolStepOutput> {
  const definition = tools.find((t) => t.name === call.toolName);
  if (!definition) {
    return {
      ok: false,
      error: { code: 'tool.not_found', message: `no tool named '${call.toolName}' is available` },
    };
  }
  const parsed = definition.input.safeParse(call.input);
  if (!parsed.success) {
    return { ok: false, error: { code: 'tool.invalid_input', message: z.prettifyError(parsed.error) } };
  }
  try {
    return { ok: true, output: await definition.execute(parsed.data, context) };
  } catch (error) {
    context.signal.throwIfAborted();
    const failure = toAgentdError(error);
    return { ok: false, error: { code: failure.code, message: failure.message } };
  }
}

function toToolSet(tools: AnyTool[], info: ModelInfo, agent: AgentSpec): LanguageModelV3FunctionTool[] {
  if (tools.length > 0 && info.known && !info.simulated && !info.capabilities.tools) {
    throw new AgentdError({
      code: 'agent.tools_unsupported',
      message: `agent '${agent.name}' has tools but model ${info.id} does not support tool calling; pick another model or remove the tools`,
    });
  }
  // No execution here: the loop runs tools itself, each as a journaled step.
  return tools.map((definition) => ({
    type: 'function',
    name: definition.name,
    description: definition.description,
    inputSchema: z.toJSONSchema(definition.input) as LanguageModelV3FunctionTool['inputSchema'],
  }));
}

/** Tool arguments arrive as JSON text; unparsable text is kept so the tool step reports it. */
function parseToolInput(input: string): Json {
  if (input.trim() === '') return {};
  try {
    return JSON.parse(input) as Json;
  } catch {
    return input;
  }
}

/** Runs `call` with exponential backoff for errors the provider marks retryable (429, 5xx, network). */
function withRetries<T>(maxRetries: number, signal: AbortSignal, call: () => PromiseLike<T>): Promise<T> {
  if (maxRetries <= 0) return Promise.resolve(call());
  const policy = retry(
    handleWhen((error) => APICallError.isInstance(error) && error.isRetryable),
    { maxAttempts: maxRetries, backoff: new ExponentialBackoff({ initialDelay: 500, maxDelay: 10_000 }) },
  );
  return policy.execute(() => call(), signal);
}

function systemPrompt(agent: AgentSpec): string {
  const parts: string[] = [];
  if (agent.role) parts.push(`You are ${agent.name}, ${agent.role}.`);
  if (agent.instructions) parts.push(agent.instructions);
  return parts.join('\n\n');
}

function modelError(error: unknown, info: ModelInfo): AgentdError {
  if (error instanceof AgentdError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  return new AgentdError({
    code: status === 401 || status === 403 ? 'model.auth_failed' : 'model.call_failed',
    category: status !== undefined && status < 500 && status !== 429 ? 'user' : 'upstream',
    message: `${info.id}: ${message}`,
    ...(status !== undefined ? { details: { status } } : {}),
    cause: error,
  });
}
