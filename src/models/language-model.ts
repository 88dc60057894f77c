import type { LanguageModelV3 } from '@ai-sdk/provider';

/**
 * A language model as agentd uses it: the AI SDK's provider-level model. The router runs one
 * attempt per real model rather than wrapping models (ModelRouter.call, ADR 0012); metering and
 * tracing observe each call through one decorator (observeModelCalls, ADR 0006). Nothing in agentd
 * switches on provider names.
 */
export type LanguageModel = LanguageModelV3;

/** What a model can do, as the catalog records it. */
export interface ModelCapabilities {
  tools: boolean;
  json: boolean;
  vision: boolean;
}

/** One catalog entry: identity, price and limits of a model. */
export interface ModelInfo {
  /** `provider/model`, e.g. `openai/gpt-4o-mini`; the provider part is a configured provider name. */
  id: string;
  /** The configured provider name (the part of `id` before the first `/`). */
  provider: string;
  /** The provider's own model name (the part of `id` after the first `/`). */
  model: string;
  /** USD per 1M input tokens. */
  inputPerMTok: number;
  /** USD per 1M output tokens. */
  outputPerMTok: number;
  contextWindow: number;
  capabilities: ModelCapabilities;
  /** Quality priors per task kind (0–1), `default` for the others: where routing starts learning. */
  quality?: Readonly<Record<string, number>>;
  /** False when the id is not in the catalog and price/limits are unknown (priced at 0). */
  known: boolean;
  /** True for the simulated provider: output is a dry run, not a model's answer. */
  simulated: boolean;
  /** Streaming deadlines of this model, ms, when configured (else the `agents` defaults apply). */
  timeouts?: Readonly<{ firstTokenMs?: number; stallMs?: number }>;
}

/** A configured provider, able to create models by the provider's own model name. */
export interface ModelProvider {
  /** The configured name (`openai`, `ollama`, …). */
  readonly name: string;
  /** The implementation type (`openai`, `anthropic`, `google`, `openai-compatible`, `simulated`). */
  readonly type: string;
  /**
   * Whether calls stay on this machine (or a network the user trusts): the simulated model, a
   * server on loopback, or a provider configured `local: true`. Hybrid topologies send sensitive
   * input only to local providers.
   */
  readonly local?: boolean;
  /** The model with this provider-specific name. */
  languageModel(model: string): LanguageModel;
}

/** The USD cost of a call from its token usage at catalog prices. */
export function priceUsage(info: ModelInfo, usage: { inputTokens: number; outputTokens: number }): number {
  return (usage.inputTokens * info.inputPerMTok + usage.outputTokens * info.outputPerMTok) / 1_000_000;
}
