import type { z } from 'zod';
import { nativeAgentRunner } from '../agents/index.js';
import type { AgentContext, AgentSpec } from '../agents/index.js';
import type { Budget } from '../budget/index.js';
import type { DurableContext, TaskScope } from '../executor/index.js';
import { localOnlyCallPolicy } from '../topology/index.js';
import type { PreparedTeam, TeamRunEnvironment } from '../topology/index.js';

/** Where agentd's own model calls (Forge, judges, calibration) run: the task's environment and budget. */
export interface SystemCallScope {
  scope: TaskScope;
  environment: TeamRunEnvironment;
  budget: Budget;
  /** The task's team, whose hybrid policy (local mode) these calls follow: they read its input. */
  prepared?: Pick<PreparedTeam, 'topology' | 'options'>;
}

/**
 * Asks one of agentd's own agents for a structured answer: a native agent run (routed, budgeted,
 * journaled in `durable`, traced under the task), returning the parsed, schema-checked JSON.
 */
export async function askSystemAgent(
  run: SystemCallScope,
  durable: DurableContext,
  agent: { name: string; instructions: string; model?: string | undefined },
  prompt: string,
  schema: z.ZodType,
): Promise<unknown> {
  const spec: AgentSpec = {
    name: agent.name,
    instructions: agent.instructions,
    tools: [],
    temperature: 0,
    ...(agent.model ? { model: agent.model } : {}),
  };
  const callPolicy = run.prepared && localOnlyCallPolicy(run.prepared, () => run.environment.localModels());
  const context: AgentContext = {
    ...run.environment.agents,
    durable,
    budget: run.budget,
    parentSpan: run.scope.span,
    ...(callPolicy ? { callPolicy } : {}),
  };
  const answer = await nativeAgentRunner.run(spec, { prompt, schema }, context);
  return answer.data;
}
