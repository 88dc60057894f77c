import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import type { ResolvedModel } from '../models/index.js';
import type { AgentSpec } from './agent-spec.js';

/** Undoes what a policy changed, in the model's streamed text and in its tool-call arguments. */
export interface CallRestorer {
  /** A fresh streaming restorer for one call's text deltas. */
  text(): { push(chunk: string): string; flush(): string };
  /** Restores a tool call's JSON argument text. */
  toolInput(input: string): string;
}

/** A model call after a policy looked at it: possibly another model, a changed prompt and a restorer. */
export interface PreparedCall {
  model: ResolvedModel;
  prompt: LanguageModelV3Prompt;
  restore?: CallRestorer;
}

/**
 * Looks at every model call of an agent before it is sent (e.g. the hybrid topology: sensitive
 * input only to local models, or masked), and may reroute or rewrite it. Throws to refuse it.
 */
export interface CallPolicy {
  prepare(call: { agent: AgentSpec; model: ResolvedModel; prompt: LanguageModelV3Prompt }): PreparedCall;
}
