import type { AgentRunner } from '../agent-runner.js';
import type { AgentSpec } from '../agent-spec.js';
import type { AgentContext } from '../agent-runner.js';
import type { Json } from '../../core/json.js';
import { foreignFailure, progressReporter, runForeignAgent } from './foreign-run.js';
import { importPackage, loadUserExport, wrongExport } from './load-user-module.js';

/** The part of a compiled LangGraph graph agentd uses. */
interface CompiledGraph {
  stream(input: unknown, options: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
}

/** A LangChain message as agentd reads it (duck-typed: the user's copy of @langchain/core may differ). */
interface MessageLike {
  content?: unknown;
  tool_calls?: { id?: string; name: string; args?: unknown }[];
  tool_call_id?: string;
  name?: string;
  getType?(): string;
  _getType?(): string;
}

/**
 * The `langgraph` kind: the module exports a compiled LangGraph.js graph, or a factory
 * `(model) => graph`. agentd runs it with the input as a human message, gives it a LangChain chat
 * model bound to the task's gateway (the factory's argument, and `config.configurable.model`),
 * reports each node's update as progress, and takes the last message of the final state as the
 * agent's output.
 */
export const langGraphAgentRunner: AgentRunner = {
  run(agent, input, ctx) {
    return runForeignAgent('langgraph', agent, input, ctx, async ({ span, prompt, gateway, signal }) => {
      await importPackage('langgraph', '@langchain/langgraph', ctx.foreign?.importer);
      const { ChatOpenAI } = await importPackage<{ ChatOpenAI: new (fields: object) => unknown }>(
        'langgraph',
        '@langchain/openai',
        ctx.foreign?.importer,
      );
      const messages = await importPackage<{
        HumanMessage: new (content: string) => unknown;
        SystemMessage: new (content: string) => unknown;
      }>('langgraph', '@langchain/core/messages', ctx.foreign?.importer);
      const exported = await loadUserExport('langgraph', agent, ctx.foreign, process.cwd());
      const session = await gateway.open({ agent, context: ctx, agentSpan: span });
      try {
        // Retries are the router's (with fallbacks); a retry here would be a second, paid, call.
        const model = new ChatOpenAI({
          model: session.model,
          apiKey: session.apiKey,
          configuration: { baseURL: session.baseUrl },
          maxRetries: 0,
          ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
        });
        const graph = await graphOf(agent, exported, model);
        const input = {
          messages: [
            ...(agent.instructions ? [new messages.SystemMessage(agent.instructions)] : []),
            new messages.HumanMessage(prompt),
          ],
        };
        return await streamGraph(agent, ctx, graph, input, {
          streamMode: ['updates', 'values'],
          configurable: { model, thread_id: `${ctx.durable.taskId}:${agent.name}` },
          signal,
          ...(agent.maxSteps !== undefined ? { recursionLimit: agent.maxSteps * 2 + 1 } : {}),
        });
      } catch (error) {
        signal.throwIfAborted();
        throw foreignFailure('langgraph', agent, error);
      } finally {
        await session.close();
      }
    });
  },
};

async function graphOf(agent: AgentSpec, exported: unknown, model: unknown): Promise<CompiledGraph> {
  const candidate = isGraph(exported)
    ? exported
    : typeof exported === 'function'
      ? await (exported as (model: unknown) => unknown)(model)
      : undefined;
  if (!isGraph(candidate))
    throw wrongExport(agent, 'a compiled LangGraph graph or a function (model) => graph');
  return candidate;
}

function isGraph(value: unknown): value is CompiledGraph {
  return typeof value === 'object' && value !== null && typeof (value as CompiledGraph).stream === 'function';
}

async function streamGraph(
  agent: AgentSpec,
  ctx: AgentContext,
  graph: CompiledGraph,
  input: unknown,
  options: Record<string, unknown>,
): Promise<string> {
  const progress = progressReporter(ctx, agent);
  // Tool calls by id, so a tool's result can be paired with its arguments for the loop guard.
  const calls = new Map<string, { name: string; args: unknown }>();
  let final: unknown;
  for await (const chunk of await graph.stream(input, options)) {
    const [mode, data] = Array.isArray(chunk) ? (chunk as [string, unknown]) : ['updates', chunk];
    if (mode === 'values') {
      final = data;
      continue;
    }
    for (const [node, update] of Object.entries((data ?? {}) as Record<string, unknown>)) {
      const updated = messagesOf(update);
      if (updated.length === 0) progress(`${node}: done`);
      for (const message of updated) {
        for (const call of message.tool_calls ?? []) {
          if (call.id) calls.set(call.id, { name: call.name, args: call.args });
          progress(`${node}: calls ${call.name}(${JSON.stringify(call.args ?? {}).slice(0, 200)})`);
        }
        if (typeOf(message) === 'tool') {
          const call = message.tool_call_id ? calls.get(message.tool_call_id) : undefined;
          const name = call?.name ?? message.name ?? 'tool';
          ctx.guard.observe({
            agent: agent.name,
            action: name,
            args: toJson(call?.args),
            result: toJson(textOf(message.content)),
          });
          progress(`${node}: ${name} answered`);
        } else {
          const text = textOf(message.content);
          if (text && !message.tool_calls?.length) progress(`${node}: ${text.slice(0, 200)}`);
        }
      }
    }
  }
  const last = messagesOf(final).at(-1);
  if (!last) throw wrongExport(agent, 'a graph whose state has messages (e.g. MessagesAnnotation)');
  return textOf(last.content);
}

function messagesOf(state: unknown): MessageLike[] {
  const messages = (state as { messages?: unknown } | null | undefined)?.messages;
  if (Array.isArray(messages)) return messages as MessageLike[];
  return messages && typeof messages === 'object' ? [messages as MessageLike] : [];
}

function typeOf(message: MessageLike): string | undefined {
  return message.getType?.() ?? message._getType?.();
}

/** A message's text: a string, or the text blocks of a content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: unknown) =>
      typeof block === 'string' ? block : (((block as { text?: unknown }).text as string | undefined) ?? ''),
    )
    .join('');
}

function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}
