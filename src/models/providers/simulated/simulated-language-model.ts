// Hand-written rather than built on an AI SDK provider: this is agentd's own, clearly labelled
// dry-run device, not a client of any service. It lets the whole runtime (topologies, routing,
// judges, memory, traces) run with no model at all: deterministic, offline and instant, and every
// output says it is simulated so it can never pass for a model's answer.
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
  SharedV3Warning,
} from '@ai-sdk/provider';
import { sampleFromJsonSchema } from './json-schema-sample.js';
import { fnv1a } from '../../../core/hash.js';
import { RECALL_HEADER } from '../../../core/recall-header.js';

/** Options of {@link createSimulatedLanguageModel}. */
export interface SimulatedLanguageModelOptions {
  /** The model name (the part after `simulated/`). Default `dry-run`. */
  modelId?: string;
  /** The provider id reported on the model. Default `simulated`. */
  provider?: string;
}

const LABEL = '[simulated]';
/** How a team's agent input opens (composePrompt in topology): the task comes right after it. */
const TASK_HEADER = 'Task:\n';
const PROVIDER_METADATA: SharedV3ProviderMetadata = { agentd: { simulated: true } };
const STOP = { unified: 'stop', raw: 'stop' } as const;
const WORDS_PER_DELTA = 3;

/** The simulated model: deterministic (same prompt → same output), offline, instant, labelled. */
export function createSimulatedLanguageModel(options: SimulatedLanguageModelOptions = {}): LanguageModelV3 {
  const modelId = options.modelId ?? 'dry-run';
  const provider = options.provider ?? 'simulated';

  function answer(call: LanguageModelV3CallOptions): {
    text: string;
    usage: LanguageModelV3Usage;
    id: string;
  } {
    throwIfAborted(call.abortSignal);
    const promptText = flattenPrompt(call.prompt);
    const text =
      call.responseFormat?.type === 'json'
        ? jsonAnswer(call.responseFormat.schema, call.prompt, promptText)
        : textAnswer(lastUserText(call.prompt), promptText);
    return { text, usage: usageOf(promptText, text), id: `simulated-${fnv1a(promptText).toString(16)}` };
  }

  return {
    specificationVersion: 'v3',
    provider,
    modelId,
    // Every URL counts as supported, so the AI SDK never downloads attachments for a dry run.
    supportedUrls: { '*/*': [/.*/] },

    async doGenerate(call): Promise<LanguageModelV3GenerateResult> {
      const { text, usage, id } = answer(call);
      return {
        content: [{ type: 'text', text }],
        finishReason: STOP,
        usage,
        providerMetadata: PROVIDER_METADATA,
        response: { id, modelId },
        warnings: warningsFor(call),
      };
    },

    async doStream(call) {
      const { text, usage, id } = answer(call);
      const parts: LanguageModelV3StreamPart[] = [
        { type: 'stream-start', warnings: warningsFor(call) },
        { type: 'response-metadata', id, modelId },
        { type: 'text-start', id: 'text-0' },
        ...chunk(text).map((delta): LanguageModelV3StreamPart => ({
          type: 'text-delta',
          id: 'text-0',
          delta,
        })),
        { type: 'text-end', id: 'text-0' },
        { type: 'finish', finishReason: STOP, usage, providerMetadata: PROVIDER_METADATA },
      ];
      let next = 0;
      const signal = call.abortSignal;
      let onAbort: (() => void) | undefined;
      const stop = () => {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      };
      // Pulled one part per read (high-water mark 0), and errored as soon as the signal aborts, so
      // an abort between parts ends the stream with an AbortError.
      const stream = new ReadableStream<LanguageModelV3StreamPart>(
        {
          start(controller) {
            if (!signal) return;
            onAbort = () => controller.error(abortError(signal));
            signal.addEventListener('abort', onAbort, { once: true });
          },
          pull(controller) {
            const part = parts[next++];
            if (part) controller.enqueue(part);
            if (next >= parts.length) {
              stop();
              controller.close();
            }
          },
          cancel: stop,
        },
        { highWaterMark: 0 },
      );
      return { stream };
    },
  };
}

function warningsFor(call: LanguageModelV3CallOptions): SharedV3Warning[] {
  const choice = call.toolChoice?.type;
  if ((call.tools?.length ?? 0) > 0 && (choice === 'required' || choice === 'tool')) {
    return [{ type: 'unsupported', feature: 'toolChoice', details: 'the simulated model never calls tools' }];
  }
  return [];
}

function textAnswer(userText: string, promptText: string): string {
  const words = keywords(userText);
  const opening = `${LABEL} A dry run: no model was asked, so this is not an answer.`;
  if (words.length === 0) {
    const quoted = userText.trim().replace(/\s+/g, ' ');
    if (quoted === '') return `${opening}\nThe prompt had no words to echo back.`;
    const short = quoted.length > 60 ? `${quoted.slice(0, 57)}...` : quoted;
    return `${opening}\nYou wrote "${short}";\nthe echo returns, but nothing here can answer it.`;
  }
  const list = listOf(words);
  const verses = [
    [`Of ${list}, only the echo stays;`, 'a real model would weigh them here.'],
    [`${capitalise(list)}: heard and handed back,`, 'the words are yours, the reply is staged.'],
    [`You wrote of ${list};`, 'the simulated provider returns it, unchanged and unthought.'],
  ];
  const verse = verses[fnv1a(promptText) % verses.length] ?? [];
  return [opening, ...verse].join('\n');
}

/**
 * A value valid against the schema. A top-level text field (a judge's `decision`, a manager's
 * `final`) is often what a team returns, so it carries the same labelled dry-run text as a reply.
 */
function jsonAnswer(schema: unknown, prompt: LanguageModelV3Prompt, promptText: string): string {
  if (schema === undefined) return JSON.stringify({ simulated: true, echo: keywords(lastUserText(prompt)) });
  return JSON.stringify(sampleFromJsonSchema(schema, { text: textAnswer(lastUserText(prompt), promptText) }));
}

const STOPWORDS = new Set(
  (
    'the and for are but not you your yours with this that these those from into onto about what which who whom ' +
    'when where why how was were will would could should can may might must shall have has had does did done ' +
    "its it's our ours their theirs them they then than there here some any all each every please write tell " +
    'give make show explain describe short long very just also only more most less such been being out over ' +
    'under again once ask asked answer'
  ).split(' '),
);

/** Up to five distinct content words of the text, in order of appearance. */
function keywords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu)) {
    const word = match[0];
    const key = word.toLowerCase();
    if (key.length < 3 || STOPWORDS.has(key) || seen.has(key)) continue;
    seen.add(key);
    out.push(word);
    if (out.length === 5) break;
  }
  return out;
}

function listOf(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * The user's words in the last user message (or the last message of any role when there is none):
 * a team's input (`Task:` first, then labelled sections and what to do) gives only its task's
 * first paragraph, and a recalled-memory block is skipped, so the echo is of what the user asked.
 */
function lastUserText(prompt: LanguageModelV3Prompt): string {
  const last = [...prompt].reverse().find((m) => m.role === 'user') ?? prompt[prompt.length - 1];
  if (!last) return '';
  const text = flattenPrompt([last]);
  if (!text.startsWith(TASK_HEADER)) return withoutRecalledMemory(text);
  const task = withoutRecalledMemory(text.slice(TASK_HEADER.length));
  const end = task.indexOf('\n\n');
  return end === -1 ? task : task.slice(0, end);
}

function withoutRecalledMemory(text: string): string {
  if (!text.startsWith(RECALL_HEADER)) return text;
  const end = text.indexOf('\n\n');
  return end === -1 ? '' : text.slice(end + 2);
}

/** Every text, tool input and tool output of the prompt, one per line. */
function flattenPrompt(prompt: LanguageModelV3Prompt): string {
  const lines: string[] = [];
  for (const message of prompt) {
    if (message.role === 'system') {
      lines.push(message.content);
      continue;
    }
    for (const part of message.content) {
      switch (part.type) {
        case 'text':
        case 'reasoning':
          lines.push(part.text);
          break;
        case 'tool-call':
          lines.push(JSON.stringify(part.input));
          break;
        case 'tool-result':
          lines.push(JSON.stringify(part.output));
          break;
        case 'file':
          lines.push(`[file ${part.mediaType}]`);
          break;
        default:
          break;
      }
    }
  }
  return lines.join('\n');
}

function usageOf(promptText: string, outputText: string): LanguageModelV3Usage {
  const input = Math.ceil(promptText.length / 4);
  const output = Math.ceil(outputText.length / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

/** Splits text into deltas of a few words each (whitespace kept, so they join back exactly). */
function chunk(text: string): string[] {
  const pieces = text.match(/\S+\s*|\s+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i += WORDS_PER_DELTA)
    out.push(pieces.slice(i, i + WORDS_PER_DELTA).join(''));
  return out;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** The signal's own reason when it is an Error (an AbortError by default), else a new AbortError. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException('The simulated model call was aborted', 'AbortError');
}
