import { setTimeout as sleep } from 'node:timers/promises';
import { Role, TaskState } from '@a2a-js/sdk';
import type { AgentCard, Message, Part, Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import type { Client } from '@a2a-js/sdk/client';
import { AgentdError, toAgentdError } from '../../core/errors.js';
import type { NetGuard } from '../../security/index.js';
import { ATTR } from '../../trace/index.js';
import type { AgentContext, AgentInput, AgentResult } from '../agent-runner.js';
import type { AgentSpec } from '../agent-spec.js';
import '../agent-error-codes.js';
import type { A2aRemote } from './a2a-remote-spec.js';
import { fetchThroughGuard } from './guarded-fetch-adapter.js';

/** What the send step journals: the remote task to follow, or the remote's direct answer. */
type SentStep = { kind: 'task'; taskId: string; contextId: string } | { kind: 'message'; text: string };

/** What the result step journals: the remote's final answer and what it reported it cost. */
interface ResultStep {
  text: string;
  state: string;
  costUsd: number | null;
}

const FINAL = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);
const INTERRUPTED = new Set([TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_AUTH_REQUIRED]);
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;

/** An A2A client for `url` whose every request (card included) goes through the SSRF guard. */
export async function createGuardedA2aClient(
  url: string,
  guard: NetGuard,
  signal?: AbortSignal,
): Promise<Client> {
  const fetchImpl = fetchThroughGuard(guard, signal);
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  return factory.createFromUrl(url);
}

/** A remote agent's card, fetched through the SSRF guard. */
export function fetchA2aCard(url: string, guard: NetGuard, signal?: AbortSignal): Promise<AgentCard> {
  return remoteCall('card', { url }, () =>
    new DefaultAgentCardResolver({ fetchImpl: fetchThroughGuard(guard, signal) }).resolve(url),
  );
}

/**
 * Runs an agent whose spec names a remote A2A agent: its turn is the remote's answer. Two durable
 * steps: sending the message (journaled with the remote task id, so a resumed task follows that
 * task and never sends the message again) and following the task to its end. One budgeted call;
 * the task's signal (cancel, wall time) stops the wait; a cost the remote reports is charged.
 */
export async function runRemoteA2aAgent(
  agent: AgentSpec & { a2a: A2aRemote },
  input: AgentInput,
  ctx: AgentContext,
): Promise<AgentResult> {
  const remote = agent.a2a;
  const span = ctx.tracer.startSpan(`invoke_agent ${agent.name}`, {
    kind: 'agent',
    taskId: ctx.durable.taskId,
    parent: ctx.parentSpan,
    attributes: {
      [ATTR.operationName]: 'invoke_agent',
      [ATTR.agentName]: agent.name,
      'agentd.a2a.url': remote.url,
      ...(remote.skill ? { 'agentd.a2a.skill': remote.skill } : {}),
    },
  });
  try {
    const guard = ctx.netGuard;
    if (!guard) {
      throw new AgentdError({
        code: 'agent.remote_unavailable',
        message: `agent ${agent.name} is a remote A2A agent, but this run has no network guard to reach it`,
      });
    }
    if (ctx.callPolicy) {
      // A hybrid team keeps sensitive content on local models; a remote agent is outside agentd.
      throw new AgentdError({
        code: 'agent.remote_in_hybrid',
        message: `agent ${agent.name} is a remote A2A agent: it cannot be a member of a hybrid team, which keeps sensitive content on local models`,
      });
    }
    // security.pii.prompts: the remote is not a local model; its answer gets the values back.
    const outgoing = ctx.piiGuard?.maskText(input.prompt, `the message to remote agent '${agent.name}'`) ?? {
      text: input.prompt,
      restore: (answer: string) => answer,
    };
    const sent = await ctx.durable.step<SentStep>(`a2a-send:${agent.name}`, ({ key, signal }) =>
      send(agent.name, remote, outgoing.text, `agentd-${ctx.durable.taskId}-${key}`, guard, ctx, signal),
    );
    const result: ResultStep =
      sent.kind === 'message'
        ? { text: sent.text, state: 'message', costUsd: null }
        : await ctx.durable.step<ResultStep>(`a2a-result:${agent.name}`, ({ signal }) =>
            follow(agent.name, remote, sent.taskId, guard, signal),
          );
    if (result.costUsd !== null && result.costUsd > 0) {
      // What the remote reported it spent counts against this task's budget (not its ledger).
      ctx.budget
        .reserve({ usd: 0, tokens: 0, calls: 0 })
        .settle({ usd: result.costUsd, tokens: 0, calls: 0 });
    }
    span.setAttributes({
      'agentd.a2a.state': result.state,
      ...(sent.kind === 'task' ? { 'agentd.a2a.task_id': sent.taskId } : {}),
      ...(result.costUsd !== null ? { [ATTR.costUsd]: result.costUsd } : {}),
    });
    const output = outgoing.restore(result.text);
    ctx.emit('agent-end', { taskId: ctx.durable.taskId, agent: agent.name, output });
    span.end();
    return { agent: agent.name, output };
  } catch (error) {
    const failure = toAgentdError(error);
    span.end({ code: failure.code, message: failure.message });
    throw failure;
  }
}

async function send(
  name: string,
  remote: A2aRemote,
  prompt: string,
  messageId: string,
  guard: NetGuard,
  ctx: AgentContext,
  signal: AbortSignal,
): Promise<SentStep> {
  // One call of the task's budget; it is refused here when the calls are used up.
  const reservation = ctx.budget.reserve({ usd: 0, tokens: 0, calls: 1 });
  try {
    const client = await remoteCall(name, remote, () => createGuardedA2aClient(remote.url, guard, signal));
    if (remote.skill) {
      const card = await client.getAgentCard();
      if (!card.skills.some((skill) => skill.id === remote.skill)) {
        throw new AgentdError({
          code: 'agent.remote_unavailable',
          message: `agent ${name}: the A2A agent at ${remote.url} has no skill '${remote.skill}' (it has: ${card.skills.map((s) => s.id).join(', ') || 'none'})`,
        });
      }
    }
    const message: Message = {
      // Stable across a re-run of this step, so a server that de-duplicates messages can.
      messageId,
      contextId: '',
      taskId: '',
      role: Role.ROLE_USER,
      parts: [
        {
          content: { $case: 'text', value: prompt },
          metadata: undefined,
          filename: '',
          mediaType: 'text/plain',
        },
      ],
      metadata: remote.skill ? { skill: remote.skill } : undefined,
      extensions: [],
      referenceTaskIds: [],
    };
    const answer = await remoteCall(name, remote, () =>
      client.sendMessage(
        {
          tenant: '',
          message,
          configuration: {
            acceptedOutputModes: ['text/plain'],
            taskPushNotificationConfig: undefined,
            returnImmediately: true,
          },
          metadata: undefined,
        },
        { signal },
      ),
    );
    reservation.settle({ usd: 0, tokens: 0, calls: 1 });
    if ('parts' in answer) return { kind: 'message', text: partsText(answer.parts) };
    return { kind: 'task', taskId: answer.id, contextId: answer.contextId };
  } catch (error) {
    reservation.release();
    throw error;
  }
}

/** Polls the remote task until it ends; an interrupted one (input or auth required) fails the agent. */
async function follow(
  name: string,
  remote: A2aRemote,
  taskId: string,
  guard: NetGuard,
  signal: AbortSignal,
): Promise<ResultStep> {
  const client = await remoteCall(name, remote, () => createGuardedA2aClient(remote.url, guard, signal));
  let wait = FIRST_POLL_MS;
  for (;;) {
    const task = await remoteCall(name, remote, () => client.getTask({ tenant: '', id: taskId }, { signal }));
    const state = task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
    if (state === TaskState.TASK_STATE_COMPLETED) {
      return { text: taskText(task), state: 'completed', costUsd: reportedCost(task) };
    }
    if (FINAL.has(state) || INTERRUPTED.has(state)) {
      const why = task.status?.message ? partsText(task.status.message.parts) : '';
      throw new AgentdError({
        code: INTERRUPTED.has(state) ? 'agent.remote_input_required' : 'agent.remote_failed',
        message: `agent ${name}: the A2A task ${taskId} at ${remote.url} ended ${TaskState[state]}${why ? `: ${why.slice(0, 500)}` : ''}`,
      });
    }
    await sleep(wait, undefined, { signal });
    wait = Math.min(wait * 2, MAX_POLL_MS);
  }
}

/** Runs one request to the remote; protocol and transport failures name the agent and the URL. */
async function remoteCall<T>(name: string, remote: A2aRemote, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AgentdError || (error instanceof Error && error.name === 'AbortError')) throw error;
    throw new AgentdError({
      code: 'agent.remote_failed',
      message: `${name === 'card' ? 'fetching the card' : `agent ${name}`}: the A2A agent at ${remote.url} failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
}

/** The answer of a completed task: its artifacts' text, else its status message's. */
function taskText(task: Task): string {
  const fromArtifacts = task.artifacts.map((artifact) => partsText(artifact.parts)).filter(Boolean);
  if (fromArtifacts.length > 0) return fromArtifacts.join('\n\n');
  return task.status?.message ? partsText(task.status.message.parts) : '';
}

function partsText(parts: readonly Part[]): string {
  return parts
    .map((part) => {
      const content = part.content;
      if (content?.$case === 'text') return content.value;
      if (content?.$case === 'data') return JSON.stringify(content.value);
      if (content?.$case === 'url') return content.value;
      return '';
    })
    .filter(Boolean)
    .join('\n');
}

/** A cost the remote reported (an agentd peer puts it in the task's metadata), if any. */
function reportedCost(task: Task): number | null {
  const agentd = (task.metadata as { agentd?: { costUsd?: unknown } } | undefined)?.agentd;
  return typeof agentd?.costUsd === 'number' && Number.isFinite(agentd.costUsd) && agentd.costUsd >= 0
    ? agentd.costUsd
    : null;
}
