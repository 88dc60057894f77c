import { describe, expect, it } from 'vitest';
import { AgentdError } from '../../core/errors.js';
import { parseChatRequest, toCallOptions } from './openai-chat-request.js';

const base = { model: 'agentd/auto', messages: [{ role: 'user', content: 'hi' }] };

function refusal(body: unknown): { message: string; param: unknown } {
  try {
    parseChatRequest(body);
  } catch (error) {
    if (error instanceof AgentdError) return { message: error.message, param: error.details?.['param'] };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('chat-completions requests', () => {
  it('accepts the optional fields OpenAI clients send, honouring some and ignoring harmless ones', () => {
    const request = parseChatRequest({
      ...base,
      user: 'alice',
      metadata: { group: 'nightly' },
      seed: 7,
      n: 1,
      stop: 'END',
      top_p: 0.5,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      parallel_tool_calls: true,
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 99,
      max_tokens: 10,
      temperature: 0.3,
      store: false,
      service_tier: 'auto',
      logprobs: false,
    });
    expect(toCallOptions(request)).toMatchObject({
      maxOutputTokens: 99,
      temperature: 0.3,
      topP: 0.5,
      seed: 7,
      stopSequences: ['END'],
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
  });

  it('refuses what it cannot honour, and unknown or mistyped fields, naming the field', () => {
    expect(refusal({ ...base, n: 3 })).toMatchObject({
      param: 'n',
      message: expect.stringContaining('n = 1'),
    });
    expect(refusal({ ...base, frobnicate: true })).toMatchObject({ param: 'frobnicate' });
    expect(refusal({ ...base, audio: { voice: 'x' } }).message).toContain('audio');
    expect(refusal({ ...base, functions: [] }).message).toContain('tools');
    expect(refusal({ ...base, temperature: 5 }).param).toBe('temperature');
    expect(refusal({ ...base, messages: [] }).param).toBe('messages');
    expect(refusal({ ...base, messages: [{ role: 'user', content: 42 }] }).param).toBe('messages.0.content');
    expect(refusal({ ...base, stop: ['a', 'b', 'c', 'd', 'e'] }).param).toBe('stop');
    expect(refusal({ ...base, tools: [{ type: 'function', function: { name: 'bad name!' } }] }).param).toBe(
      'tools.0.function.name',
    );
    expect(refusal(null).message).toBeTruthy();
    expect(refusal([]).message).toBeTruthy();
  });

  it('turns a tool conversation into a prompt whose tool results name their calls’ tools', () => {
    const options = toCallOptions(
      parseChatRequest({
        model: 'local/small',
        messages: [
          { role: 'developer', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'cold' },
        ],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'lookup' } },
        response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' } } },
      }),
    );
    expect(options.prompt).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: { city: 'Oslo' } }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'c1',
            toolName: 'lookup',
            output: { type: 'text', value: 'cold' },
          },
        ],
      },
    ]);
    expect(options.toolChoice).toEqual({ type: 'tool', toolName: 'lookup' });
    expect(options.responseFormat).toMatchObject({ type: 'json', name: 'w', schema: { type: 'object' } });
  });

  it('refuses image parts for now, with the message index', () => {
    const request = parseChatRequest({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }],
    });
    expect(() => toCallOptions(request)).toThrow(/messages\.0\.content: only text parts/);
  });
});
