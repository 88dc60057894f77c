import type { LanguageModel } from '../../models/index.js';
import type { AgentRunner } from '../agent-runner.js';
import { foreignFailure, runForeignAgent } from './foreign-run.js';
import { loadUserExport, wrongExport } from './load-user-module.js';

/** What an `ai-sdk` agent function receives besides its model. */
export interface AiSdkAgentInput {
  prompt: string;
  instructions?: string;
  agent: string;
  taskId: string;
  /** Aborted when the task is cancelled: pass it on as `abortSignal`. */
  signal: AbortSignal;
}

/** An AI SDK agent (e.g. `ToolLoopAgent`): what agentd calls on one a factory returns. */
interface GeneratingAgent {
  generate(options: { prompt: string; abortSignal?: AbortSignal }): Promise<{ text: string }>;
}

/**
 * The `ai-sdk` kind: the module exports `(model, input) => answer`, where `model` is a
 * LanguageModel whose every call is the agent's governed model call (no HTTP hop), and the answer
 * is a string, `{ text }`, or an AI SDK agent built on that model (its `generate()` is run).
 */
export const aiSdkAgentRunner: AgentRunner = {
  run(agent, input, ctx) {
    return runForeignAgent('ai-sdk', agent, input, ctx, async ({ span, prompt, gateway, signal }) => {
      const exported = await loadUserExport('ai-sdk', agent, ctx.foreign, process.cwd());
      if (typeof exported !== 'function') throw wrongExport(agent, 'a function (model, input) => answer');
      const model: LanguageModel = gateway.model({ agent, context: ctx, agentSpan: span });
      const agentInput: AiSdkAgentInput = {
        prompt,
        ...(agent.instructions ? { instructions: agent.instructions } : {}),
        agent: agent.name,
        taskId: ctx.durable.taskId,
        signal,
      };
      let answer: unknown;
      try {
        answer = await (exported as (m: LanguageModel, i: AiSdkAgentInput) => unknown)(model, agentInput);
        if (isGeneratingAgent(answer)) answer = await answer.generate({ prompt, abortSignal: signal });
      } catch (error) {
        signal.throwIfAborted();
        throw foreignFailure('ai-sdk', agent, error);
      }
      if (typeof answer === 'string') return answer;
      if (answer && typeof (answer as { text?: unknown }).text === 'string')
        return (answer as { text: string }).text;
      throw wrongExport(agent, 'a function whose answer is a string, { text } or an AI SDK agent');
    });
  },
};

function isGeneratingAgent(value: unknown): value is GeneratingAgent {
  return (
    typeof value === 'object' && value !== null && typeof (value as GeneratingAgent).generate === 'function'
  );
}
