import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type { Json } from '../core/json.js';
import type { ModelProvider } from '../models/language-model.js';

/** One scripted reply of the fake model. */
export interface FakeTurn {
  text?: string;
  toolCalls?: { toolName: string; input: Json; toolCallId?: string }[];
  /** Reported usage; omitted → counted as characters / 4. */
  usage?: { inputTokens: number; outputTokens: number };
  /** Thrown instead of answering. */
  error?: Error;
  /** Wait for this before answering (or forever, until the call is aborted). */
  waitFor?: Promise<unknown> | 'forever';
  /** The finish reason to report instead of stop / tool-calls (e.g. a content-filter refusal). */
  finishReason?: 'content-filter' | 'length';
}

/** What the script function receives for each call. */
export interface FakeCall {
  index: number;
  options: LanguageModelV3CallOptions;
  /** All prompt text (system, user, assistant and tool results) joined with newlines. */
  promptText: string;
}

/** Options of {@link createFakeLanguageModel}. */
export interface FakeLanguageModelOptions {
  /** Replies in order (the last one repeats), or a function of the call. Default: text 'ok'. */
  script?: FakeTurn[] | ((call: FakeCall) => FakeTurn | Promise<FakeTurn>);
  provider?: string;
  modelId?: string;
}

/** The scripted fake model: a LanguageModelV3 that records every call it receives. */
export interface FakeLanguageModel extends LanguageModelV3 {
  readonly calls: FakeCall[];
}

/** Flattens a prompt to text, so tests can assert what reached the model. */
export function promptToText(prompt: LanguageModelV3CallOptions['prompt']): string {
  const lines: string[] = [];
  for (const message of prompt) {
    if (typeof message.content === 'string') {
      lines.push(message.content);
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') lines.push(part.text);
      else if (part.type === 'tool-call') lines.push(JSON.stringify(part.input));
      else if (part.type === 'tool-result') lines.push(JSON.stringify(part.output));
    }
  }
  return lines.join('\n');
}

/** Creates the scripted fake language model (the test double for all domain tests). */
export function createFakeLanguageModel(options: FakeLanguageModelOptions = {}): FakeLanguageModel {
  const calls: FakeCall[] = [];
  const script = options.script ?? [{ text: 'ok' }];

  async function next(callOptions: LanguageModelV3CallOptions): Promise<{ turn: FakeTurn; call: FakeCall }> {
    const call: FakeCall = {
      index: calls.length,
      options: callOptions,
      promptText: promptToText(callOptions.prompt),
    };
    calls.push(call);
    const turn =
      typeof script === 'function'
        ? await script(call)
        : (script[Math.min(call.index, script.length - 1)] ?? { text: 'ok' });
    if (turn.waitFor) await waitOrAbort(turn.waitFor, callOptions.abortSignal);
    callOptions.abortSignal?.throwIfAborted();
    if (turn.error) throw turn.error;
    return { turn, call };
  }

  function content(turn: FakeTurn, index: number): LanguageModelV3Content[] {
    const parts: LanguageModelV3Content[] = [];
    if (turn.text !== undefined) parts.push({ type: 'text', text: turn.text });
    for (const [i, tc] of (turn.toolCalls ?? []).entries()) {
      parts.push({
        type: 'tool-call',
        toolCallId: tc.toolCallId ?? `call_${index}_${i}`,
        toolName: tc.toolName,
        input: JSON.stringify(tc.input),
      });
    }
    return parts;
  }

  return {
    specificationVersion: 'v3',
    provider: options.provider ?? 'fake',
    modelId: options.modelId ?? 'scripted',
    supportedUrls: {},
    calls,
    async doGenerate(callOptions): Promise<LanguageModelV3GenerateResult> {
      const { turn, call } = await next(callOptions);
      return {
        content: content(turn, call.index),
        finishReason: finishReason(turn),
        usage: usage(turn, call.promptText),
        warnings: [],
      };
    },
    async doStream(callOptions) {
      const { turn, call } = await next(callOptions);
      const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      if (turn.text !== undefined) {
        parts.push({ type: 'text-start', id: 't0' });
        for (const piece of turn.text.match(/\S+\s*|\s+/g) ?? [])
          parts.push({ type: 'text-delta', id: 't0', delta: piece });
        parts.push({ type: 'text-end', id: 't0' });
      }
      for (const part of content(turn, call.index)) if (part.type === 'tool-call') parts.push(part);
      parts.push({ type: 'finish', finishReason: finishReason(turn), usage: usage(turn, call.promptText) });
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      });
      return { stream };
    },
  };
}

/** A provider serving fake models by name, for plugging scripted models into a runtime. */
export function createFakeProvider(options: {
  name?: string;
  models: Record<string, FakeLanguageModel>;
  /** Whether the provider counts as local (see ModelProvider.local); default false. */
  local?: boolean;
}): ModelProvider {
  const name = options.name ?? 'fake';
  return {
    name,
    type: 'fake',
    local: options.local ?? false,
    languageModel(model: string) {
      const found = options.models[model];
      if (!found) throw new Error(`fake provider has no model '${model}'`);
      return found;
    },
  };
}

function finishReason(turn: FakeTurn): LanguageModelV3GenerateResult['finishReason'] {
  const unified = turn.finishReason ?? (turn.toolCalls && turn.toolCalls.length > 0 ? 'tool-calls' : 'stop');
  return { unified, raw: unified };
}

function usage(turn: FakeTurn, promptText: string): LanguageModelV3Usage {
  const input = turn.usage?.inputTokens ?? Math.ceil(promptText.length / 4);
  const output = turn.usage?.outputTokens ?? Math.ceil((turn.text ?? '').length / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

function waitOrAbort(waitFor: Promise<unknown> | 'forever', signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (waitFor !== 'forever') {
      waitFor.then(
        () => resolve(),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    }
  });
}
