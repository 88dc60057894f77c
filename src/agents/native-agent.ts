import type {
  JSONSchema7,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
} from '@ai-sdk/provider';
import { z } from 'zod';
import { AgentdError, stopsAgent, toAgentdError } from '../core/errors.js';
import './agent-error-codes.js';
import '../tools/tool-error-codes.js';
import { isIdempotentCall } from '../tools/index.js';
import type { AnyTool } from '../tools/index.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle } from '../trace/index.js';
import type { AgentContext, AgentInput, AgentResult, AgentRouting, AgentRunner } from './agent-runner.js';
import type { AgentSpec } from './agent-spec.js';
import { systemPrompt } from './system-prompt.js';
import { DELEGATE_TOOL, delegateTool } from './delegate-tool.js';
import { interruptedToolCall } from './interrupted-tool-call.js';
import type { ToolStepOutput } from './interrupted-tool-call.js';
import { toToolSet } from './tool-set.js';
import { governedCall } from './governed-call.js';
import type { GovernedCallOutput } from './governed-call.js';
import { parseStructuredOutput } from './structured-output.js';

/** What a model step journals: one governed call's answer. */
type ModelStepOutput = GovernedCallOutput;

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
  // Tools from MCP servers are listed now (connecting on first use): a server that does not start fails here.
  const tools = await ctx.tools.resolve(agent.tools);
  const delegation = agent.delegates?.length ? delegateTool(agent.delegates) : undefined;
  const routing = ctx.routing(agent);
  const kind = routing.kind ?? ctx.router.classify(input.prompt).kind;
  const toolSet = toToolSet(delegation ? [...tools, delegation] : tools);
  const responseSchema = input.schema
    ? (z.toJSONSchema(input.schema, { io: 'input' }) as JSONSchema7)
    : undefined;
  const messages: LanguageModelV3Message[] = [
    { role: 'user', content: [{ type: 'text', text: input.prompt }] },
  ];
  const maxSteps = agent.maxSteps ?? ctx.defaultMaxSteps;
  // Models whose answer failed the checks; a cascade does not ask them again.
  const rejected: string[] = [];
  let repairs = 0;

  for (let turn = 1; turn <= maxSteps; turn++) {
    const step = await modelStep(agent, ctx, agentSpan, {
      toolSet,
      messages,
      turn,
      responseSchema,
      kind,
      routing,
      rejected,
    });
    if (step.toolCalls.length === 0) {
      const checked = checkAnswer(input, step.text);
      // Steps journaled before routing existed do not name their model.
      if (checked.checked && step.model) ctx.router.observe({ modelId: step.model, kind, pass: checked.ok });
      if (checked.ok) {
        return finished(ctx, {
          agent: agent.name,
          output: step.text,
          ...(input.schema ? { data: checked.data } : {}),
        });
      }
      if (routing.strategy === 'cascade' && rejected.length + 1 < routing.cascadeModels) {
        // Escalate: the same conversation, without the rejected answer, goes to the next model.
        rejected.push(step.model);
        continue;
      }
      messages.push(...step.messages);
      if (!input.schema) return finished(ctx, { agent: agent.name, output: step.text });
      // One repair turn with the validation errors, then give up: a model that cannot produce
      // the structure twice in a row will not on the third try either.
      if (repairs++ >= 1) {
        throw new AgentdError({
          code: 'agent.invalid_output',
          message: `agent '${agent.name}' did not answer with the JSON asked for: ${checked.reason}`,
          details: { agent: agent.name },
        });
      }
      messages.push({
        role: 'user',
        content: [
          {
            type: 'text',
            text: `Your answer was not valid: ${checked.reason}\nReply with only the JSON object asked for, nothing else.`,
          },
        ],
      });
      continue;
    }
    messages.push(...step.messages);

    for (const call of step.toolCalls) {
      const result =
        call.toolName === DELEGATE_TOOL && delegation
          ? await delegate(agent, ctx, call)
          : await toolStep(agent, ctx, agentSpan, call, tools);
      ctx.guard.observe({ agent: agent.name, action: call.toolName, args: call.input, result });
      messages.push({
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: call.toolCallId,
            toolName: call.toolName,
            output: result.ok
              ? { type: 'json', value: result.output }
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

/** The checks of a final answer: the structured-output schema, then the input's own check. */
function checkAnswer(
  input: AgentInput,
  text: string,
): { checked: boolean; ok: boolean; data?: unknown; reason?: string } {
  let data: unknown;
  if (input.schema) {
    const parsed = parseStructuredOutput(input.schema, text);
    if (!parsed.ok) return { checked: true, ok: false, reason: parsed.error };
    data = parsed.data;
  }
  if (input.check) {
    const verdict = input.check(text);
    if (!verdict.pass) return { checked: true, ok: false, reason: verdict.reason ?? 'the check failed' };
  }
  return {
    checked: input.schema !== undefined || input.check !== undefined,
    ok: true,
    ...(input.schema ? { data } : {}),
  };
}

function finished(ctx: AgentContext, result: AgentResult): AgentResult {
  ctx.emit('agent-end', { taskId: ctx.durable.taskId, agent: result.agent, output: result.output });
  return result;
}

/** Runs the `delegate` tool: a child run whose failure is reported to the model like a tool error. */
async function delegate(
  agent: AgentSpec,
  ctx: AgentContext,
  call: ModelStepOutput['toolCalls'][number],
): Promise<ToolStepOutput> {
  const parsed = delegateTool(agent.delegates ?? []).input.safeParse(call.input);
  if (!parsed.success) {
    return { ok: false, error: { code: 'tool.invalid_input', message: z.prettifyError(parsed.error) } };
  }
  if (!ctx.delegate) {
    return {
      ok: false,
      error: { code: 'agent.delegation_unavailable', message: 'delegation is not available here' },
    };
  }
  try {
    return {
      ok: true,
      output: await ctx.delegate({ from: agent, to: parsed.data.to, task: parsed.data.task }),
    };
  } catch (error) {
    const failure = toAgentdError(error);
    // Guards and halts (a loop, delegation too deep, budget, cancellation) are not the model's to handle.
    if (stopsAgent(failure)) throw failure;
    return { ok: false, error: { code: failure.code, message: failure.message } };
  }
}

function modelStep(
  agent: AgentSpec,
  ctx: AgentContext,
  agentSpan: SpanHandle,
  call: {
    toolSet: LanguageModelV3FunctionTool[];
    messages: LanguageModelV3Message[];
    turn: number;
    responseSchema: JSONSchema7 | undefined;
    kind: string;
    routing: AgentRouting;
    rejected: readonly string[];
  },
): Promise<ModelStepOutput> {
  const prompt: LanguageModelV3Prompt =
    agent.instructions || agent.role
      ? [{ role: 'system', content: systemPrompt(agent) }, ...call.messages]
      : call.messages;
  return governedCall(agent, ctx, agentSpan, {
    name: `model:${agent.name}:${call.turn}`,
    prompt,
    toolSet: call.toolSet,
    responseFormat: call.responseSchema ? { schema: call.responseSchema } : undefined,
    maxOutputTokens: agent.maxOutputTokens ?? ctx.defaultMaxOutputTokens,
    kind: call.kind,
    routing: call.routing,
    rejected: call.rejected,
  });
}

async function toolStep(
  agent: AgentSpec,
  ctx: AgentContext,
  agentSpan: SpanHandle,
  requested: ModelStepOutput['toolCalls'][number],
  tools: AnyTool[],
): Promise<ToolStepOutput> {
  const taskId = ctx.durable.taskId;
  const definition = tools.find((t) => t.name === requested.toolName);
  let call = requested;
  if (definition?.requiresApproval || agent.requireApproval?.includes(call.toolName)) {
    const answer = await ctx.durable.waitForHuman(
      {
        kind: 'tool-approval',
        question: `Agent '${agent.name}' wants to call ${call.toolName} with ${JSON.stringify(call.input)}. Approve?`,
        payload: { agent: agent.name, tool: call.toolName, input: call.input },
      },
      {
        onRequested: (review) =>
          ctx.emit('review-requested', {
            taskId,
            reviewId: review.id,
            kind: review.kind,
            question: review.question,
          }),
      },
    );
    if (answer.decision === 'reject') {
      return {
        ok: false,
        error: {
          code: 'tool.rejected',
          message: `a human rejected this call${answer.note ? `: ${answer.note}` : ''}`,
        },
      };
    }
    if (answer.decision === 'edit' && answer.payload !== null) {
      // The reviewer may send the whole payload back or just the new input.
      const { payload } = answer;
      const edited = typeof payload === 'object' && !Array.isArray(payload) && 'input' in payload;
      call = { ...call, input: edited ? (payload['input'] ?? null) : payload };
    }
  }
  const name = `tool:${agent.name}:${call.toolName}`;
  const once =
    definition && !isIdempotentCall(definition, call.input)
      ? interruptedToolCall(agent, ctx, call)
      : undefined;
  return ctx.durable.step<ToolStepOutput>(
    name,
    async ({ key, signal }) => {
      const span = ctx.tracer.startSpan(`execute_tool ${call.toolName}`, {
        kind: 'tool',
        taskId,
        parent: agentSpan,
        attributes: {
          [ATTR.operationName]: 'execute_tool',
          [ATTR.toolName]: call.toolName,
          [ATTR.toolCallId]: call.toolCallId,
          [ATTR.agentName]: agent.name,
          [ATTR.stepKey]: key,
          ...definition?.attributes,
        },
      });
      await ctx.ensureWorkspace();
      const result = await executeTool(tools, call, {
        taskId,
        workspace: ctx.workspace,
        signal,
        now: () => ctx.clock.now(),
        agent: agent.name,
        step: key,
        notes: ctx.notes,
      });
      span.end(result.ok ? undefined : result.error);
      return result;
    },
    {
      onStart: (key) => ctx.emit('step-start', { taskId, step: key, name, kind: 'tool', agent: agent.name }),
      onEnd: ({ key, replayed, error }) =>
        ctx.emit('step-end', {
          taskId,
          step: key,
          name,
          kind: 'tool',
          agent: agent.name,
          replayed,
          ...(error ? { error } : {}),
        }),
    },
    { atMostOnce: once },
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
