import type { AgentGateway, GatewayRequest } from '../agents/index.js';
import type { LanguageModel } from '../models/index.js';

/** A test fake of the AgentGateway contract: what it was asked for, and how many sessions are open. */
export interface FakeAgentGateway extends AgentGateway {
  /** Every open() and model() request, in order. */
  readonly requests: { method: 'open' | 'model'; agent: string; spanId: string }[];
  /** Sessions opened and not closed yet. */
  openSessions(): number;
}

/**
 * TEST FAKE, not the gateway: `open()` hands out `baseUrl` (the fake OpenAI-compatible server's) with
 * a fixed key, and `model()` the scripted model, so the kinds' bridges (protocol, events, errors,
 * timeouts, cancellation) are tested without agentd's real gateway (no routing, budget or journal).
 */
export function createFakeAgentGateway(options: {
  baseUrl?: string;
  model?: LanguageModel;
  modelName?: string;
  apiKey?: string;
}): FakeAgentGateway {
  const requests: FakeAgentGateway['requests'] = [];
  let open = 0;
  const note = (method: 'open' | 'model', request: GatewayRequest) =>
    requests.push({ method, agent: request.agent.name, spanId: request.agentSpan.spanId });
  return {
    requests,
    openSessions: () => open,
    model(request) {
      note('model', request);
      if (!options.model) throw new Error('fake gateway: no model given');
      return options.model;
    },
    open(request) {
      note('open', request);
      open++;
      let closed = false;
      return Promise.resolve({
        baseUrl: options.baseUrl ?? 'http://127.0.0.1:9/v1',
        apiKey: options.apiKey ?? 'fake-task-key',
        model: options.modelName ?? 'fake-model',
        close: () => {
          if (!closed) open--;
          closed = true;
          return Promise.resolve();
        },
      });
    },
  };
}
