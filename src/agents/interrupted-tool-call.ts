import { AgentdError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import type { Json } from '../core/json.js';
import type { AtMostOnce } from '../executor/index.js';
import '../tools/tool-error-codes.js';
import type { AgentContext } from './agent-runner.js';
import type { AgentSpec } from './agent-spec.js';

/** What a tool step journals: the tool's output, or its failure (shown to the model). */
export type ToolStepOutput =
  { ok: true; output: Json } | { ok: false; error: { code: ErrorCode; message: string } };

/**
 * How a call of a non-idempotent tool cut off mid-run is settled on resume: a human says whether it
 * runs again (approve), what it returned (edit: the payload, or its `output`), or that it failed
 * (reject); or, with `tools.onInterrupted: fail`, the task fails with `tool.interrupted`.
 */
export function interruptedToolCall(
  agent: AgentSpec,
  ctx: AgentContext,
  call: { toolName: string; input: Json },
): AtMostOnce<ToolStepOutput> {
  const taskId = ctx.durable.taskId;
  const what = `${call.toolName} with ${JSON.stringify(call.input)}`;
  return {
    onInterrupted: ctx.onInterruptedTool ?? 'review',
    error: () =>
      new AgentdError({
        code: 'tool.interrupted',
        message: `agent '${agent.name}' was calling ${what} when agentd stopped; ${call.toolName} is not idempotent, so it is not run again (tools.onInterrupted: fail)`,
      }),
    review: {
      kind: 'tool-interrupted',
      question:
        `Agent '${agent.name}' was calling ${what} when agentd stopped; it may or may not have taken effect. ` +
        'Approve to run it again, reject to tell the agent it failed, or edit to give what it returned.',
      payload: { agent: agent.name, tool: call.toolName, input: call.input },
    },
    onRequested: (review) =>
      ctx.emit('review-requested', {
        taskId,
        reviewId: review.id,
        kind: review.kind,
        question: review.question,
      }),
    decide(answer) {
      if (answer.decision === 'approve') return { rerun: true };
      if (answer.decision === 'edit') {
        const { payload } = answer;
        const wrapped =
          payload !== null && typeof payload === 'object' && !Array.isArray(payload) && 'output' in payload;
        return { output: { ok: true, output: wrapped ? (payload['output'] ?? null) : payload } };
      }
      return {
        output: {
          ok: false,
          error: {
            code: 'tool.interrupted',
            message: `the call was cut off when agentd stopped and a human chose not to run it again${answer.note ? `: ${answer.note}` : ''}`,
          },
        },
      };
    },
  };
}
