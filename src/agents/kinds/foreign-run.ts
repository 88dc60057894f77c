import { z } from 'zod';
import { AgentdError, BudgetExceededError, toAgentdError } from '../../core/errors.js';
import '../agent-error-codes.js';
import { ATTR } from '../../trace/index.js';
import type { SpanHandle } from '../../trace/index.js';
import type { AgentContext, AgentGateway, AgentInput, AgentResult } from '../agent-runner.js';
import type { AgentSpec } from '../agent-spec.js';
import { parseStructuredOutput } from '../structured-output.js';
import type { AgentKind } from './kind-fields.js';

/** What a foreign agent's body gets: its span (model calls hang under it), its prompt and the gateway. */
export interface ForeignTurn {
  span: SpanHandle;
  /** The input prompt, with the JSON instructions when the topology asked for structured output. */
  prompt: string;
  gateway: AgentGateway;
  signal: AbortSignal;
}

/**
 * Runs a foreign agent's turn the way a native agent's runs: under its own `invoke_agent` span
 * (whose children are the gateway's `chat` spans), with the structured output the topology asked for
 * parsed from its answer, and an `agent-end` event. The body returns the agent's final text.
 */
export async function runForeignAgent(
  kind: AgentKind,
  agent: AgentSpec,
  input: AgentInput,
  ctx: AgentContext,
  body: (turn: ForeignTurn) => Promise<string>,
): Promise<AgentResult> {
  const span = ctx.tracer.startSpan(`invoke_agent ${agent.name}`, {
    kind: 'agent',
    taskId: ctx.durable.taskId,
    parent: ctx.parentSpan,
    attributes: {
      [ATTR.operationName]: 'invoke_agent',
      [ATTR.agentName]: agent.name,
      'agentd.agent.kind': kind,
    },
  });
  try {
    const gateway = ctx.gateway;
    if (!gateway) {
      throw new AgentdError({
        code: 'agent.gateway_unavailable',
        message: `agent '${agent.name}' is a '${kind}' agent, but this run has no model gateway for it to call models through`,
        details: { agent: agent.name, kind },
      });
    }
    ctx.durable.signal.throwIfAborted();
    const prompt = input.schema ? withJsonInstructions(input.prompt, input.schema) : input.prompt;
    const text = await body({ span, prompt, gateway, signal: ctx.durable.signal });
    ctx.durable.signal.throwIfAborted();
    let data: unknown;
    if (input.schema) {
      const parsed = parseStructuredOutput(input.schema, text);
      if (!parsed.ok) {
        throw new AgentdError({
          code: 'agent.invalid_output',
          message: `agent '${agent.name}' did not answer with the JSON asked for: ${parsed.error}`,
          details: { agent: agent.name },
        });
      }
      data = parsed.data;
    }
    ctx.emit('agent-end', { taskId: ctx.durable.taskId, agent: agent.name, output: text });
    span.end();
    return { agent: agent.name, output: text, ...(input.schema ? { data } : {}) };
  } catch (error) {
    // A cancellation is the task's, not the agent's: it goes on as the signal's reason. A foreign
    // agent sees a spent budget as its model call refused (HTTP 402); the task stops for the budget.
    const failure = toAgentdError(
      ctx.durable.signal.aborted ? (ctx.durable.signal.reason ?? error) : (budgetSpent(ctx) ?? error),
    );
    span.end({ code: failure.code, message: failure.message });
    throw failure;
  }
}

/** The budget's refusal of the smallest next call, when the task's budget is spent. */
function budgetSpent(ctx: AgentContext): BudgetExceededError | undefined {
  try {
    ctx.budget.reserve({ usd: 1e-9, tokens: 1, calls: 1 }).release();
    return undefined;
  } catch (error) {
    return error instanceof BudgetExceededError ? error : undefined;
  }
}

/** A foreign agent knows nothing of agentd's structured output: the prompt asks for the JSON. */
function withJsonInstructions(prompt: string, schema: z.ZodType): string {
  const jsonSchema = JSON.stringify(z.toJSONSchema(schema, { io: 'input' }));
  return `${prompt}\n\nAnswer with only a JSON value (no prose, no code fence) that matches this JSON Schema:\n${jsonSchema}`;
}

/** Wraps what a foreign agent's own code threw as the agent's failure, naming the agent and its kind. */
export function foreignFailure(kind: AgentKind, agent: AgentSpec, error: unknown): AgentdError {
  if (error instanceof AgentdError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AgentdError({
    code: 'agent.foreign_failed',
    message: `agent '${agent.name}' (${kind}) failed: ${message.slice(0, 2000)}`,
    details: { agent: agent.name, kind },
    cause: error,
  });
}

/** Most progress events one foreign run emits (they are stored with the task); later ones are dropped. */
const MAX_PROGRESS_EVENTS = 200;
/** Longest progress message kept. */
const MAX_PROGRESS_CHARS = 2_000;

/** Emits a foreign agent's progress as `agent-progress` events, bounded in number and length. */
export function progressReporter(ctx: AgentContext, agent: AgentSpec): (message: string) => void {
  let emitted = 0;
  return (message) => {
    if (emitted >= MAX_PROGRESS_EVENTS || message.length === 0) return;
    emitted++;
    ctx.emit('agent-progress', {
      taskId: ctx.durable.taskId,
      agent: agent.name,
      message: message.length > MAX_PROGRESS_CHARS ? `${message.slice(0, MAX_PROGRESS_CHARS)}…` : message,
    });
  };
}
