import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type { LanguageModel } from './language-model.js';

/** What one finished model call used and returned. */
export interface ModelCallOutcome {
  inputTokens: number;
  outputTokens: number;
  /** `measured` when the provider reported usage, `estimated` when counted here (chars / 4). */
  usageSource: 'measured' | 'estimated';
  finishReason: string;
  responseModelId: string | undefined;
}

/** Receives every call of an observed model: `start` before it, then `finish` or `fail`. */
export interface ModelCallObserver {
  start(params: LanguageModelV3CallOptions): {
    finish(outcome: ModelCallOutcome): Promise<void> | void;
    fail(error: unknown): void;
  };
}

/**
 * Wraps a model so that every generate and stream call is reported to `observer`, with usage
 * taken from the provider or estimated when the provider reports none. Metering, tracing and
 * events are built on this one seam rather than each wrapping the model separately.
 *
 * A plain decorator of the LanguageModelV3 interface rather than the AI SDK's wrapLanguageModel:
 * it is the only thing agentd used from the `ai` package, whose import alone costs ~80 ms of
 * start-up on this machine (docs/benchmarks.md).
 */
export function observeModelCalls(model: LanguageModel, observer: ModelCallObserver): LanguageModel {
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    get supportedUrls() {
      return model.supportedUrls;
    },
    async doGenerate(params) {
      const call = observer.start(params);
      try {
        const result = await model.doGenerate(params);
        await call.finish(
          outcome(
            result.usage,
            params,
            textOf(result.content),
            result.finishReason.unified,
            result.response?.modelId,
          ),
        );
        return result;
      } catch (error) {
        call.fail(error);
        throw error;
      }
    },
    async doStream(params) {
      const call = observer.start(params);
      let result;
      try {
        result = await model.doStream(params);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      let text = '';
      let responseModelId: string | undefined;
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        call.fail(error);
      };
      // A reader loop rather than a TransformStream: an upstream error or a cancel must also
      // end the observation, and TransformStream callbacks do not see either.
      const reader = result.stream.getReader();
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async pull(controller) {
          try {
            const { done, value: part } = await reader.read();
            if (done) {
              fail(new Error('model stream ended without a finish part'));
              controller.close();
              return;
            }
            if (part.type === 'text-delta') text += part.delta;
            else if (part.type === 'response-metadata') responseModelId = part.modelId ?? responseModelId;
            else if (part.type === 'error') fail(part.error);
            else if (part.type === 'finish' && !settled) {
              settled = true;
              await call.finish(
                outcome(part.usage, params, text, part.finishReason.unified, responseModelId),
              );
            }
            controller.enqueue(part);
          } catch (error) {
            fail(error);
            controller.error(error);
          }
        },
        cancel(reason) {
          fail(reason ?? new Error('model stream cancelled'));
          return reader.cancel(reason);
        },
      });
      return { ...result, stream };
    },
  };
}

function outcome(
  usage: LanguageModelV3Usage,
  params: LanguageModelV3CallOptions,
  outputText: string,
  finishReason: string,
  responseModelId: string | undefined,
): ModelCallOutcome {
  const input = usage.inputTokens.total;
  const output = usage.outputTokens.total;
  const measured = input !== undefined && output !== undefined;
  return {
    inputTokens: input ?? estimateTokens(JSON.stringify(params.prompt)),
    outputTokens: output ?? estimateTokens(outputText),
    usageSource: measured ? 'measured' : 'estimated',
    finishReason,
    responseModelId,
  };
}

function textOf(content: LanguageModelV3Content[]): string {
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}

/** A rough token count (characters / 4), used only when a provider reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
