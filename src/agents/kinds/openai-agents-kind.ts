import type { Json } from '../../core/json.js';
import { ATTR } from '../../trace/index.js';
import type { SpanHandle } from '../../trace/index.js';
import type { AgentContext, AgentRunner } from '../agent-runner.js';
import type { AgentSpec } from '../agent-spec.js';
import { foreignFailure, progressReporter, runForeignAgent } from './foreign-run.js';
import { importPackage, loadUserExport, wrongExport } from './load-user-module.js';

/** A tool call as the Agents SDK reports it to run hooks. */
interface ToolCallItem {
  callId?: string | null;
  name?: string;
  arguments?: string;
}

/** The part of the Agents SDK's Runner agentd uses. */
interface RunnerLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  run(
    agent: unknown,
    input: string,
    options: { signal: AbortSignal; maxTurns?: number },
  ): Promise<{ finalOutput?: unknown }>;
}

/** The part of the Agents SDK agentd constructs. */
interface AgentsSdk {
  Agent: abstract new (...args: never[]) => unknown;
  Runner: new (config: object) => RunnerLike;
  OpenAIProvider: new (options: object) => unknown;
}

/**
 * The `openai-agents` kind: the module exports an OpenAI Agents SDK `Agent`. It runs with the SDK's
 * Runner, whose model provider is the task's gateway (Chat Completions, since the gateway does not
 * speak the Responses API) and whose own tracing export is off: agentd traces it instead, each tool
 * call an `execute_tool` span under the agent's span, and each call checked by the loop guard.
 */
export const openAiAgentsRunner: AgentRunner = {
  run(agent, input, ctx) {
    return runForeignAgent('openai-agents', agent, input, ctx, async ({ span, prompt, gateway, signal }) => {
      const sdk = await importPackage<AgentsSdk>('openai-agents', '@openai/agents', ctx.foreign?.importer);
      const exported = await loadUserExport('openai-agents', agent, ctx.foreign, process.cwd());
      if (!isSdkAgent(exported)) throw wrongExport(agent, 'an OpenAI Agents SDK Agent');
      const session = await gateway.open({ agent, context: ctx, agentSpan: span });
      try {
        const runner = new sdk.Runner({
          model: session.model,
          modelProvider: new sdk.OpenAIProvider({
            apiKey: session.apiKey,
            baseURL: session.baseUrl,
            useResponses: false,
          }),
          tracingDisabled: true,
          ...(agent.temperature !== undefined ? { modelSettings: { temperature: agent.temperature } } : {}),
        });
        traceTools(runner, agent, ctx, span);
        const result = await runner.run(exported, prompt, {
          signal,
          ...(agent.maxSteps !== undefined ? { maxTurns: agent.maxSteps } : {}),
        });
        const output = result.finalOutput;
        return typeof output === 'string' ? output : JSON.stringify(output ?? '');
      } catch (error) {
        signal.throwIfAborted();
        throw foreignFailure('openai-agents', agent, error);
      } finally {
        await session.close();
      }
    });
  },
};

/** An Agents SDK Agent (duck-typed: the user's module may hold another copy of the SDK). */
function isSdkAgent(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    Array.isArray((value as { tools?: unknown }).tools) &&
    typeof (value as { clone?: unknown }).clone === 'function'
  );
}

/** Turns the run's tool calls into `execute_tool` spans, progress events and loop-guard observations. */
function traceTools(runner: RunnerLike, agent: AgentSpec, ctx: AgentContext, agentSpan: SpanHandle): void {
  const progress = progressReporter(ctx, agent);
  const open = new Map<string, SpanHandle>();
  const keyOf = (call: ToolCallItem | undefined, tool: { name?: string }) =>
    call?.callId ?? `${tool.name ?? 'tool'}:${call?.arguments ?? ''}`;
  runner.on('agent_tool_start', (...args: unknown[]) => {
    const [, , tool, details] = args as [unknown, unknown, { name?: string }, { toolCall?: ToolCallItem }];
    const call = details?.toolCall;
    const name = tool?.name ?? call?.name ?? 'tool';
    open.set(
      keyOf(call, tool),
      ctx.tracer.startSpan(`execute_tool ${name}`, {
        kind: 'tool',
        taskId: ctx.durable.taskId,
        parent: agentSpan,
        attributes: {
          [ATTR.operationName]: 'execute_tool',
          [ATTR.toolName]: name,
          [ATTR.agentName]: agent.name,
          ...(call?.callId ? { [ATTR.toolCallId]: call.callId } : {}),
        },
      }),
    );
    progress(`calls ${name}(${(call?.arguments ?? '').slice(0, 200)})`);
  });
  runner.on('agent_tool_end', (...args: unknown[]) => {
    const [, , tool, result, details] = args as [
      unknown,
      unknown,
      { name?: string },
      unknown,
      { toolCall?: ToolCallItem },
    ];
    const call = details?.toolCall;
    const key = keyOf(call, tool);
    open.get(key)?.end();
    open.delete(key);
    const name = tool?.name ?? call?.name ?? 'tool';
    progress(`${name} answered`);
    ctx.guard.observe({
      agent: agent.name,
      action: name,
      args: parseArgs(call?.arguments),
      result: String(result),
    });
  });
}

function parseArgs(text: string | undefined): Json {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}
