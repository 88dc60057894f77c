import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import type { ResolvedModel } from '../models/index.js';
import { resolvePiiPolicy } from '../security/index.js';
import type { AgentSpec } from './agent-spec.js';
import { chainCallPolicies, createPiiCallGuard } from './pii-call-guard.js';

const agent = { name: 'clerk', tools: [] } as unknown as AgentSpec;
const model = (local: boolean) =>
  ({ local, info: { id: local ? 'ollama/small' : 'cloud/big' } }) as ResolvedModel;
const prompt = (text: string): LanguageModelV3Prompt => [
  { role: 'system', content: 'You are a clerk.' },
  { role: 'user', content: [{ type: 'text', text }] },
];
const userText = (p: LanguageModelV3Prompt) => JSON.stringify(p[1]);

describe('the prompt guard (security.pii.prompts)', () => {
  it('masks a hosted call, keeps placeholders across calls, restores streamed text and tool input', () => {
    const guard = createPiiCallGuard(resolvePiiPolicy('prompts', 'mask'));
    const first = guard.prepare({ agent, model: model(false), prompt: prompt('Mail ana@example.org') });
    expect(userText(first.prompt)).toContain('⟦EMAIL_1⟧');
    expect(userText(first.prompt)).not.toContain('ana@example.org');
    const stream = first.restore?.text();
    expect(
      (stream?.push('Sent to ⟦EMA') ?? '') + (stream?.push('IL_1⟧.') ?? '') + (stream?.flush() ?? ''),
    ).toBe('Sent to ana@example.org.');
    expect(first.restore?.toolInput('{"to":"⟦EMAIL_1⟧"}')).toBe('{"to":"ana@example.org"}');
    const second = guard.prepare({ agent, model: model(false), prompt: prompt('And ana@example.org again') });
    expect(userText(second.prompt)).toContain('⟦EMAIL_1⟧');
  });

  it('leaves calls to local models as they are', () => {
    const guard = createPiiCallGuard(resolvePiiPolicy('prompts', 'mask'));
    const call = guard.prepare({ agent, model: model(true), prompt: prompt('Mail ana@example.org') });
    expect(userText(call.prompt)).toContain('ana@example.org');
    expect(call.restore).toBeUndefined();
  });

  it('refuses a blocked type with pii.blocked naming the type, not the value', () => {
    const guard = createPiiCallGuard(
      resolvePiiPolicy('prompts', { default: 'mask', 'payment-card': 'block' }),
    );
    expect(() =>
      guard.prepare({ agent, model: model(false), prompt: prompt('Card 4111 1111 1111 1111') }),
    ).toThrow(
      expect.objectContaining({
        code: 'pii.blocked',
        message: expect.stringContaining('payment-card') as unknown,
      }) as Error,
    );
    try {
      guard.prepare({ agent, model: model(false), prompt: prompt('Card 4111 1111 1111 1111') });
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('4111');
      expect((error as Error).message).not.toContain('4111');
    }
  });

  it('restores its own placeholders first, then those of the policy before it', () => {
    const hybridRestore = {
      text: () => ({ push: (c: string) => c.replaceAll('⟦RULE_X_1⟧', 'secret-project'), flush: () => '' }),
      toolInput: (i: string) => i.replaceAll('⟦RULE_X_1⟧', 'secret-project'),
    };
    const guard = createPiiCallGuard(resolvePiiPolicy('prompts', 'mask'));
    const chained = chainCallPolicies(
      { model: model(false), prompt: prompt('⟦RULE_X_1⟧ for ana@example.org'), restore: hybridRestore },
      (c) => guard.prepare({ agent, model: c.model, prompt: c.prompt }),
    );
    const stream = chained.restore?.text();
    expect((stream?.push('⟦RULE_X_1⟧ → ⟦EMAIL_1⟧') ?? '') + (stream?.flush() ?? '')).toBe(
      'secret-project → ana@example.org',
    );
  });
});

describe('the prompt guard across agents', () => {
  it('names the agent whose call it refused, not the first one it saw', () => {
    const guard = createPiiCallGuard(resolvePiiPolicy('prompts', { default: 'mask', email: 'block' }));
    guard.prepare({ agent, model: model(false), prompt: prompt('nothing personal') });
    const other = { name: 'auditor', tools: [] } as unknown as AgentSpec;
    expect(() =>
      guard.prepare({ agent: other, model: model(false), prompt: prompt('ana@example.org') }),
    ).toThrow(/agent 'auditor'/);
  });
});
