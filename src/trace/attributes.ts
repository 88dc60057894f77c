/**
 * Span attribute names. Model and tool spans follow the OpenTelemetry GenAI semantic
 * conventions; agentd's own attributes live under `agentd.`.
 */
export const ATTR = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  agentName: 'gen_ai.agent.name',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  errorType: 'error.type',
  /** A failed model call's class (`rate_limit`, `timeout`, `server`, `connection`, …). */
  errorClass: 'agentd.error.class',
  /** The HTTP status a provider answered a failed call with. */
  httpStatus: 'http.response.status_code',
  taskId: 'agentd.task.id',
  spanKind: 'agentd.span.kind',
  costUsd: 'agentd.cost.usd',
  /** Set when the provider reported more output tokens than the call's `max_tokens` (by how many). */
  usageOverMaxTokens: 'agentd.usage.over_max_tokens',
  stepKey: 'agentd.step.key',
  simulated: 'agentd.simulated',
  topology: 'agentd.topology',
  teamName: 'agentd.team.name',
  teamDepth: 'agentd.team.depth',
  routerKind: 'agentd.router.kind',
  routerObjective: 'agentd.router.objective',
  routerStrategy: 'agentd.router.strategy',
  routerConstraints: 'agentd.router.constraints',
  routerCandidates: 'agentd.router.candidates',
  routerChosen: 'agentd.router.chosen',
  routerFallbacks: 'agentd.router.fallbacks',
  routerReason: 'agentd.router.reason',
  routerExplored: 'agentd.router.explored',
  routerFallbackFrom: 'agentd.router.fallback_from',
  routerErrorClass: 'agentd.router.error_class',
  memoryId: 'agentd.memory.id',
  memoryTenant: 'agentd.memory.tenant',
  /** How many memories a task's recall put into its prompt. */
  memoryRecalled: 'agentd.memory.recalled',
} as const;

/** What a span covers. */
export type SpanKindName = 'task' | 'team' | 'agent' | 'model' | 'tool' | 'router' | 'memory';
