import type { JSONSchema7, LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { generateObject, generateText, Output, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RECALL_HEADER } from '../../../core/recall-header.js';
import { createSimulatedLanguageModel } from './simulated-language-model.js';
import { createSimulatedProvider } from './simulated-provider.js';

const model = createSimulatedLanguageModel();

function call(text: string, extra: Partial<LanguageModelV3CallOptions> = {}): LanguageModelV3CallOptions {
  return { prompt: [{ role: 'user', content: [{ type: 'text', text }] }], ...extra };
}

async function readAll(
  stream: ReadableStream<LanguageModelV3StreamPart>,
): Promise<LanguageModelV3StreamPart[]> {
  const parts: LanguageModelV3StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

describe('simulated language model', () => {
  it('answers the same prompt with the same labelled text, echoing its key words', async () => {
    const prompt = 'Write a haiku about autumn leaves and lanterns';
    const first = await generateText({ model, prompt });
    const second = await generateText({ model, prompt });
    expect(first.text).toBe(second.text);
    expect(first.text.startsWith('[simulated]')).toBe(true);
    expect(first.text).toContain('autumn');
    expect(first.text).toContain('lanterns');
    const other = await generateText({ model, prompt: 'Summarise the quarterly budget report' });
    expect(other.text).not.toBe(first.text);
    expect(other.text).toContain('budget');
  });

  it("echoes the user's prompt, never the recalled-memory block before it", async () => {
    const recalled = `${RECALL_HEADER}\n- (2026-01-01, semantic) Lanterns glow over the harbour wall`;
    const result = await generateText({
      model,
      prompt: `${recalled}\n\nSummarise the quarterly budget report`,
    });
    expect(result.text).toContain('budget');
    expect(result.text).not.toMatch(/Recalled|Lanterns|harbour|semantic/);
    const noWords = await generateText({ model, prompt: `${recalled}\n\nWhat is 2+2?` });
    expect(noWords.text).toContain('"What is 2+2?"');
  });

  it('quotes a prompt with no content words instead of answering it', async () => {
    const result = await generateText({ model, prompt: 'What is 2+2?' });
    expect(result.text.startsWith('[simulated]')).toBe(true);
    expect(result.text).toContain('"What is 2+2?"');
    expect(result.text).not.toMatch(/\b4\b/);
  });

  it('labels its result as simulated in provider metadata', async () => {
    const result = await generateText({ model, prompt: 'hello world' });
    expect(result.providerMetadata).toEqual({ agentd: { simulated: true } });
    expect(result.response.modelId).toBe('dry-run');
  });

  it('estimates usage as characters / 4 of the prompt and of the output', async () => {
    const text = 'Explain tidal forces to a curious child';
    const result = await model.doGenerate(call(text));
    const output = result.content[0]?.type === 'text' ? result.content[0].text : '';
    expect(result.usage.inputTokens.total).toBe(Math.ceil(text.length / 4));
    expect(result.usage.outputTokens.total).toBe(Math.ceil(output.length / 4));
  });

  it('returns output valid against the requested schema (Output.object)', async () => {
    const schema = z.object({
      summary: z.string().min(20),
      severity: z.enum(['low', 'medium', 'high']),
      confidence: z.number().min(0).max(1),
      attempts: z.number().int().min(1).max(5),
      owner: z.object({ name: z.string(), teams: z.array(z.string()).min(2) }),
      steps: z.array(z.object({ order: z.number().int().nonnegative(), action: z.string() })).min(1),
    });
    const result = await generateText({
      model,
      prompt: 'Triage this incident',
      output: Output.object({ schema }),
    });
    expect(schema.parse(result.output)).toEqual(result.output);
    expect(result.output.severity).toBe('low');
    expect(result.output.owner.teams).toHaveLength(2);
    expect(result.output.summary).toContain('simulated');
    const again = await generateText({
      model,
      prompt: 'Triage this incident',
      output: Output.object({ schema }),
    });
    expect(again.output).toEqual(result.output);
  });

  it('returns output valid against the requested schema (generateObject)', async () => {
    const schema = z.object({ verdict: z.enum(['approve', 'reject']), reasons: z.array(z.string()).min(1) });
    const { object } = await generateObject({ model, schema, prompt: 'Judge this answer' });
    expect(object.verdict).toBe('approve');
    expect(object.reasons.length).toBeGreaterThanOrEqual(1);
  });

  it('echoes only the user’s task from a team input, not the template or recalled memory', async () => {
    const input =
      'Task:\nRecalled memory (from earlier tasks; it may be out of date — use it only where it helps):\n' +
      '- Output formats matter\n\nTabs or spaces?\n\n--- Output of writer ---\nIndentation styles compared\n\n' +
      'Answer the task concisely. Other debaters answer it too.';
    const result = await model.doGenerate(call(input));
    const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
    expect(text).toMatch(/^\[simulated\] A dry run: no model was asked/);
    expect(text).toContain('Tabs and spaces');
    expect(text).not.toMatch(/Task|Recalled|memory|Output|Indentation|debaters|concisely/);
  });

  it('puts the labelled dry-run text in a top-level text field of a schema (a judge’s decision)', async () => {
    const schema: JSONSchema7 = {
      type: 'object',
      properties: { decision: { type: 'string' }, notes: { type: 'array', items: { type: 'string' } } },
      required: ['decision', 'notes'],
    };
    const result = await model.doGenerate(
      call('Task:\nTabs or spaces?\n\n--- Answers ---\nboth', { responseFormat: { type: 'json', schema } }),
    );
    const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
    const value = JSON.parse(text) as { decision: string; notes: string[] };
    expect(value.decision).toMatch(/^\[simulated\] A dry run: no model was asked[^]*Tabs and spaces/);
    expect(value.notes).toEqual(['[simulated] notes 1']);
  });

  it('returns labelled JSON when JSON is requested without a schema', async () => {
    const result = await model.doGenerate(call('list some fruit', { responseFormat: { type: 'json' } }));
    const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
    expect(JSON.parse(text)).toEqual({ simulated: true, echo: ['list', 'fruit'] });
  });

  it('streams the same text in deltas of a few words, then finishes with usage', async () => {
    const prompt = 'Describe a lighthouse keeper at dawn';
    const generated = await generateText({ model, prompt });
    const result = streamText({ model, prompt });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(generated.text);
    expect((await result.usage).outputTokens).toBe(generated.usage.outputTokens);
    const parts = await readAll((await model.doStream(call(prompt))).stream);
    expect(parts.map((p) => p.type)).toEqual([
      'stream-start',
      'response-metadata',
      'text-start',
      ...parts.filter((p) => p.type === 'text-delta').map(() => 'text-delta'),
      'text-end',
      'finish',
    ]);
  });

  it('never calls tools, and warns when a tool call is required', async () => {
    const lookup = tool({ inputSchema: z.object({ q: z.string() }), execute: async () => 'never' });
    const result = await generateText({ model, prompt: 'look it up', tools: { lookup } });
    expect(result.toolCalls).toEqual([]);
    expect(result.text.startsWith('[simulated]')).toBe(true);
    const tools = [{ type: 'function' as const, name: 'lookup', inputSchema: { type: 'object' as const } }];
    const required = await model.doGenerate(call('look it up', { tools, toolChoice: { type: 'required' } }));
    expect(required.content.every((part) => part.type === 'text')).toBe(true);
    expect(required.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported', feature: 'toolChoice' }),
    ]);
  });

  it('rejects with an AbortError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(model.doGenerate(call('x', { abortSignal: controller.signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(model.doStream(call('x', { abortSignal: controller.signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('errors the stream with an AbortError when aborted mid-stream', async () => {
    const controller = new AbortController();
    const { stream } = await model.doStream(
      call('a long enough request to stream', { abortSignal: controller.signal }),
    );
    const reader = stream.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('is created by the simulated provider under the configured name', () => {
    const provider = createSimulatedProvider({ name: 'simulated', type: 'simulated', origin: 'fallback' });
    const simulated = provider.languageModel('dry-run');
    expect(simulated.provider).toBe('simulated');
    expect(simulated.modelId).toBe('dry-run');
  });
});
