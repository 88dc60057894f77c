import { describe, expect, it } from 'vitest';
import { AgentSpecSchema } from '../agent-spec.js';

describe('remote A2A agent specs', () => {
  it('accepts a2a with a url and an optional skill', () => {
    expect(
      AgentSpecSchema.parse({ name: 'r', a2a: { url: 'https://agent.example', skill: 'run-task' } }),
    ).toMatchObject({ a2a: { url: 'https://agent.example', skill: 'run-task' } });
  });

  it('refuses a non-http url, unknown keys, and a model, tools or delegates beside a2a', () => {
    const bad = [
      { name: 'r', a2a: { url: 'file:///etc/passwd' } },
      { name: 'r', a2a: { url: 'https://a.example', token: 'x' } },
      { name: 'r', model: 'openai/gpt-4o', a2a: { url: 'https://a.example' } },
      { name: 'r', tools: ['read_file'], a2a: { url: 'https://a.example' } },
      { name: 'r', delegates: ['x'], a2a: { url: 'https://a.example' } },
    ];
    for (const spec of bad) expect(AgentSpecSchema.safeParse(spec).success, JSON.stringify(spec)).toBe(false);
    const mixed = AgentSpecSchema.safeParse(bad[2]);
    expect(mixed.error?.issues[0]?.message).toMatch(/takes no model, tools or delegates/);
  });
});
