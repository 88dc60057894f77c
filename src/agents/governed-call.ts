import type {
  JSONSchema7,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
  LanguageModelV3ToolChoice,
} from '@ai-sdk/provider';
import { AgentdError } from '../core/errors.js';
import './agent-error-codes.js';
import '../models/model-error-codes.js';
import type { Json } from '../core/json.js';
import type { ResolvedModel } from '../models/index.js';
import type { DurableContext } from '../executor/index.js';
import type { RouteRequest } from '../router/index.js';
import type { SpanHandle } from '../trace/index.js';
import type { AgentContext, AgentRouting } from './agent-runner.js';
import type { AgentSpec } from './agent-spec.js';
import { interrupted } from './model-failure.js';
import { chainCallPolicies } from './pii-call-guard.js';
import { meterModel, reserveCall } from './metered-model.js';
import { promptTokens } from './prompt-tokens.js';
import { parseToolInput } from './tool-set.js';
import { createStreamWatchdog } from './stream-watchdog.js';

/** A model's answer as the conversation continues with it: its text and tool calls. */
export interface AssistantMessage {
  role: 'assistant';
  content: (
    { type: 'text'; text: string } | { type: 'tool-call'; toolCallId: string; toolName: string; input: Json }
  )[];
}

/** What a governed call journals: enough to continue a conversation and re-emit its events on replay. */
export interface GovernedCallOutput {
  text: string;
  toolCalls: { toolCallId: string; toolName: string; input: Json }[];
  messages: AssistantMessage[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  taskCostUsd: number;
  /** The model that answered (the router's pick), so a replay knows whose answer it was. */
  model: string;
  /** Why the model stopped (`stop`, `tool-calls`, `length`, …); absent in steps journaled before it was kept. */
  finishReason?: string;
}

/** Sampling settings a call may carry besides its prompt (the gateway passes a client's through). */
export interface CallSettings {
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

/** One governed model call: what is asked, and how it is routed. */
export interface GovernedCallRequest {
  /** The journal step's name (e.g. `model:writer:2`). */
  name: string;
  /** The prompt as sent (system message included). */
  prompt: LanguageModelV3Prompt;
  toolSet: LanguageModelV3FunctionTool[];
  /** Default `auto` when there are tools. */
  toolChoice?: LanguageModelV3ToolChoice | undefined;
  /** JSON output, with a schema or without. */
  responseFormat?: { schema?: JSONSchema7 | undefined } | undefined;
  maxOutputTokens: number;
  settings?: CallSettings | undefined;
  kind: string;
  routing: AgentRouting;
  /** Models whose answer failed the checks; a cascade does not ask them again. */
  rejected: readonly string[];
}

/** Who is told about a call's answer as it streams (besides the task's event subscribers). */
export interface GovernedCallListener {
  text?(delta: string): void;
  /** The answer broke off after text was passed on: the router sends the call again from the start. */
  restart?(): void;
}

/**
 * One governed model call, the one path every model call of an agent takes (the native loop's and a
 * foreign framework's through the gateway): a journaled step in `durable` whose attempts the router
 * runs on the models it picks (pinned with fallbacks, or by objective), each under the call policy
 * and the PII guard, reserved in the budget, metered into a ledger row and a `chat` span under the
 * agent's span, and watched for its deadlines. A resumed task replays the journaled answer.
 */
export function governedCall(
  agent: AgentSpec,
  ctx: AgentContext,
  agentSpan: SpanHandle,
  call: GovernedCallRequest,
  options: { durable?: DurableContext; listener?: GovernedCallListener } = {},
): Promise<GovernedCallOutput> {
  const taskId = ctx.durable.taskId;
  const durable = options.durable ?? ctx.durable;
  const { name } = call;
  return durable.step<GovernedCallOutput>(
    name,
    async ({ key, signal, commitWith }) => {
      const tokens = promptTokens(call.prompt, call.toolSet);
      const inputTokens = await tokens.forRouting();
      const { routing } = call;
      // A cascade climbs from the cheapest model that meets the constraints, without exploring.
      const cascading = routing.strategy === 'cascade';
      const request: RouteRequest = {
        kind: call.kind,
        needs: {
          tools: call.toolSet.length > 0 || agent.requirements?.tools === true,
          json: call.responseFormat !== undefined || agent.requirements?.json === true,
          vision: agent.requirements?.vision === true,
        },
        inputTokens,
        maxOutputTokens: call.maxOutputTokens,
        constraints: routing.constraints,
        objective: cascading ? 'cheapest' : routing.objective,
        pinned: cascading && call.rejected.length > 0 ? undefined : routing.pinned,
        exclude: call.rejected,
        noExploration: cascading,
      };
      try {
        const { value } = await ctx.router.call(
          request,
          (routed, attemptSignal) =>
            modelAttempt(agent, ctx, agentSpan, {
              ...call,
              key,
              routed,
              inputTokens,
              exactInputTokens: tokens.exact,
              signal: AbortSignal.any([signal, attemptSignal]),
              commitWith,
              listener: options.listener,
            }),
          { signal, trace: { tracer: ctx.tracer, parent: agentSpan, taskId } },
        );
        return value;
      } catch (error) {
        signal.throwIfAborted();
        throw error;
      }
    },
    {
      onStart: (key) => ctx.emit('step-start', { taskId, step: key, name, kind: 'model', agent: agent.name }),
      onEnd: ({ key, replayed, output, error }) => {
        ctx.emit('step-end', {
          taskId,
          step: key,
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
 * One try of a governed call on the model the router picked: the call policy (hybrid) may reroute or
 * rewrite it, the worst case is reserved, the call is metered and streamed. Provider errors are
 * thrown as they are, for the router to classify; an error after text was shown to subscribers
 * cannot be retried elsewhere without repeating it, so it ends the step.
 */
async function modelAttempt(
  agent: AgentSpec,
  ctx: AgentContext,
  agentSpan: SpanHandle,
  call: GovernedCallRequest & {
    key: string;
    routed: ResolvedModel;
    inputTokens: number;
    /** The prompt's exact token count (counted once per step, on first call). */
    exactInputTokens(): Promise<number>;
    signal: AbortSignal;
    commitWith(write: Promise<unknown>): void;
    listener: GovernedCallListener | undefined;
  },
): Promise<{
  value: GovernedCallOutput;
  usage: { costUsd: number; inputTokens: number; outputTokens: number };
  waitedMs: number;
}> {
  const taskId = ctx.durable.taskId;
  const { key, maxOutputTokens, signal, commitWith, listener } = call;
  const policed = ctx.callPolicy
    ? ctx.callPolicy.prepare({ agent, model: call.routed, prompt: call.prompt })
    : { model: call.routed, prompt: call.prompt };
  // security.pii.prompts, after the topology's policy: it sees the model the call really goes to.
  const { piiGuard } = ctx;
  const prepared = piiGuard
    ? chainCallPolicies(policed, (c) => piiGuard.prepare({ agent, model: c.model, prompt: c.prompt }))
    : policed;
  const { info } = prepared.model;
  const { reservation, waitedMs } = await reserveCall(agent, ctx, { ...call, info });
  // The call's deadlines: the whole answer, and sooner for a hung provider (no first token, a stall).
  const watchdog = createStreamWatchdog({
    modelId: info.id,
    totalMs: ctx.modelTimeoutMs,
    firstTokenMs: info.timeouts?.firstTokenMs ?? ctx.firstTokenTimeoutMs,
    stallMs: info.timeouts?.stallMs ?? ctx.stallTimeoutMs,
  });
  try {
    const metered = meterModel(prepared.model.model, {
      agent,
      ctx,
      agentSpan,
      info,
      key,
      reservation,
      commitWith,
    });
    // The model is called at the provider level: the loop already orchestrates steps, tools and
    // the journal, and the AI SDK's streamText pipeline costs more than everything else agentd
    // does around a call (ADR 0006). The attempt ends on the task's signal (cancellation), the
    // router's, or one of its deadlines, whichever comes first.
    const callSignal = AbortSignal.any([signal, watchdog.signal]);
    let shown = false;
    const failure = (error: unknown): never => {
      signal.throwIfAborted();
      const cause = watchdog.signal.aborted ? watchdog.error() : error;
      if (!shown) throw cause;
      // Text already went to live followers: they drop it, and the router tries the call again.
      listener?.restart?.();
      throw interrupted(ctx, { step: key, agent: agent.name, modelId: info.id, cause });
    };
    const { settings } = call;
    const { stream } = await Promise.resolve(
      metered.model.doStream({
        prompt: prepared.prompt,
        abortSignal: callSignal,
        maxOutputTokens,
        ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
        ...settings,
        ...(call.toolSet.length > 0
          ? { tools: call.toolSet, toolChoice: call.toolChoice ?? { type: 'auto' as const } }
          : {}),
        ...(call.responseFormat
          ? {
              responseFormat: {
                type: 'json' as const,
                ...(call.responseFormat.schema ? { schema: call.responseFormat.schema } : {}),
              },
            }
          : {}),
      }),
    ).catch(failure);
    const restoreText = prepared.restore?.text();
    let text = '';
    let filtered = false;
    let finishReason: string | undefined;
    const toolCalls: GovernedCallOutput['toolCalls'] = [];
    const reader = stream.getReader();
    const read = () => reader.read().catch(failure);
    const addText = (delta: string) => {
      if (!delta) return;
      text += delta;
      shown = true;
      ctx.emit('text-delta', { taskId, step: key, agent: agent.name, delta });
      listener?.text?.(delta);
    };
    for (;;) {
      const { done, value: part } = await read();
      if (done) break;
      watchdog.saw(part);
      if (part.type === 'text-delta') {
        addText(restoreText ? restoreText.push(part.delta) : part.delta);
      } else if (part.type === 'tool-call') {
        toolCalls.push({
          toolCallId: part.toolCallId,
          toolName: part.toolName,
          input: parseToolInput(prepared.restore ? prepared.restore.toolInput(part.input) : part.input),
        });
      } else if (part.type === 'error') {
        failure(part.error);
      } else if (part.type === 'finish') {
        finishReason = part.finishReason.unified;
        filtered = finishReason === 'content-filter';
      }
    }
    if (restoreText) addText(restoreText.flush());
    signal.throwIfAborted();
    // A refusal by the provider's content filter with nothing said: the router may send the call
    // to the configured refusal fallback (router.refusalFallback).
    if (filtered && !text && toolCalls.length === 0) {
      throw new AgentdError({
        code: 'model.refused',
        message: `${info.id}: the provider's content filter refused to answer`,
      });
    }
    const content: AssistantMessage['content'] = [];
    if (text) content.push({ type: 'text', text });
    for (const tc of toolCalls) {
      content.push({ type: 'tool-call', toolCallId: tc.toolCallId, toolName: tc.toolName, input: tc.input });
    }
    const usage = metered.usage();
    return {
      value: {
        text,
        toolCalls,
        messages: [{ role: 'assistant', content }],
        model: call.routed.info.id,
        ...usage,
        ...(finishReason ? { finishReason } : {}),
      },
      usage: { costUsd: usage.costUsd, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
      waitedMs,
    };
  } finally {
    watchdog.stop();
    // A call that ended without a settlement (it failed) drops its pending row with the step.
    commitWith(reservation.release());
  }
}
