import type { z } from 'zod';
import type { Budget, CostMeter } from '../budget/index.js';
import type { Clock } from '../core/clock.js';
import type { LanguageModel } from '../models/index.js';
import type { TaskEventMap } from '../core/events.js';
import type { DurableContext, LoopGuard } from '../executor/index.js';
import type { ModelRouter, Objective, RouteConstraints, Strategy } from '../router/index.js';
import type { TaskNotes, ToolRegistry } from '../tools/index.js';
import type { SpanHandle, Tracer } from '../trace/index.js';
import type { NetGuard } from '../security/index.js';
import type { AgentSpec } from './agent-spec.js';
import type { CallPolicy } from './call-policy.js';
import type { PiiCallGuard } from './pii-call-guard.js';
import type { ForeignAgentSettings } from './kinds/foreign-settings.js';

/** Everything an agent run needs from the task it runs in. */
export interface AgentContext {
  durable: DurableContext;
  /** The task's workspace folder (file tools are confined to it); it may not exist yet. */
  workspace: string;
  /** Creates the workspace folder if it does not exist yet: tasks that never use a tool leave none. */
  ensureWorkspace(): Promise<void>;
  tracer: Tracer;
  /** The span the agent's span hangs under (the task's, or a parent agent's). */
  parentSpan: SpanHandle;
  tools: ToolRegistry;
  clock: Clock;
  /** Routes every model call: picks the model, retries, falls back, learns. */
  router: ModelRouter;
  /** How an agent's calls are routed (its pinned model, objective, constraints, strategy). */
  routing(agent: AgentSpec): AgentRouting;
  /** Reserves each model call in `budget`, then prices it and writes its ledger row. */
  costMeter: CostMeter;
  /** Emits a task event (persisted, and streamed to subscribers). */
  emit<K extends keyof TaskEventMap>(type: K, data: TaskEventMap[K]): void;
  /** The budget every model call reserves against before it is sent. */
  budget: Budget;
  /** Stops agents that repeat the same action without progress. */
  guard: LoopGuard;
  /** Reroutes or rewrites model calls before they are sent (hybrid topology), when set. */
  callPolicy?: CallPolicy;
  /** Masks or refuses personal data in prompts to models that are not local (`security.pii.prompts`). */
  piiGuard?: PiiCallGuard;
  /** Runs a delegation (the `delegate` tool) as a child run and returns its output. */
  delegate?(request: { from: AgentSpec; to: string; task: string }): Promise<string>;
  /** Default step cap for agents that set none. */
  defaultMaxSteps: number;
  /** Output tokens a call may produce when the agent sets no `maxOutputTokens`. */
  defaultMaxOutputTokens: number;
  /** What a call reserves for its output (config `budget.reserveOutput`; default `learned`). */
  reserveOutput?: 'learned' | 'cap';
  /** Time limit of one model call attempt, ms. */
  modelTimeoutMs: number;
  /** Streaming deadlines of a model call that sets none of its own (catalog `timeouts`), ms. */
  firstTokenTimeoutMs: number;
  stallTimeoutMs: number;
  /**
   * What a resumed task does with a call of a non-idempotent tool that was cut off mid-run
   * (`tools.onInterrupted`; default `review`).
   */
  onInterruptedTool?: 'review' | 'fail' | undefined;
  /** Checks outbound requests of remote (A2A) agents against `security.net`. */
  netGuard?: NetGuard | undefined;
  /** The task's working memory, for the `notes` tool (when memory is on). */
  notes?: TaskNotes | undefined;
  /** How foreign-framework agents reach the models under the task's rules (absent: they cannot run). */
  gateway?: AgentGateway | undefined;
  /** Where foreign agents' modules and programs come from and what they may use (absent: defaults, nothing allowed). */
  foreign?: ForeignAgentSettings | undefined;
}

/** One foreign agent run, as the gateway sees it: whose calls, in which task, under which span. */
export interface GatewayRequest {
  agent: AgentSpec;
  context: AgentContext;
  /** The agent's `invoke_agent` span: the run's model calls are `chat` spans under it. */
  agentSpan: SpanHandle;
}

/** An open OpenAI-compatible endpoint for one foreign agent run; `close()` revokes its key. */
export interface GatewaySession {
  /** e.g. `http://127.0.0.1:PORT/openai/v1`: what a framework takes as `OPENAI_BASE_URL`. */
  baseUrl: string;
  /** A short-lived key scoped to this task and agent (`Authorization: Bearer …`). */
  apiKey: string;
  /** The model name the agent should ask for: its pinned model, or a router virtual model. */
  model: string;
  close(): Promise<void>;
}

/**
 * A foreign agent's way to the models: every call it makes is one of the agent's governed model
 * calls, through the same path as a native agent's (router, budget, ledger, journal, span, PII).
 */
export interface AgentGateway {
  /** A model whose calls are the agent's governed calls, for in-process frameworks (no HTTP hop). */
  model(request: GatewayRequest): LanguageModel;
  /** An OpenAI-compatible endpoint and task-scoped key for frameworks that speak HTTP. */
  open(request: GatewayRequest): Promise<GatewaySession>;
}

/** How one agent's model calls are routed. */
export interface AgentRouting {
  /** The model tried first (the agent's, the request's or the default); undefined lets the router pick. */
  pinned?: string | undefined;
  kind?: string | undefined;
  objective?: Objective | undefined;
  constraints?: RouteConstraints | undefined;
  strategy: Strategy;
  /** `cascade`: how many models one answer may go through. */
  cascadeModels: number;
}

/** A cheap check of an agent's answer (the judge's deterministic checks plug in here). */
export type AnswerCheck = (output: string) => { pass: boolean; reason?: string };

/** The input an agent receives: the user message built from the task (and any hand-off). */
export interface AgentInput {
  prompt: string;
  /**
   * When set, the agent must answer with JSON matching this schema (asked once more with the
   * validation errors if it does not); the parsed value is returned as `data`.
   */
  schema?: z.ZodType;
  /**
   * Checks the final answer; a failure counts against the model's learned quality and, with the
   * `cascade` strategy, sends the answer to the next model.
   */
  check?: AnswerCheck;
}

/** What an agent run returns. */
export interface AgentResult {
  agent: string;
  output: string;
  /** The parsed structured answer, when the input asked for one. */
  data?: unknown;
}

/** Runs one agent; native agents and foreign-framework adapters implement the same contract. */
export interface AgentRunner {
  run(agent: AgentSpec, input: AgentInput, context: AgentContext): Promise<AgentResult>;
}
