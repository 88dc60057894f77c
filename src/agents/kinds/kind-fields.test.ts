import { describe, expect, it } from 'vitest';
import { AgentSpecSchema } from '../agent-spec.js';
import { agentKind } from './kind-fields.js';

function issues(spec: unknown): string[] {
  const parsed = AgentSpecSchema.safeParse(spec);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('agent kinds in the spec', () => {
  it('defaults to native, and a spec with an a2a remote is of kind a2a', () => {
    expect(agentKind(AgentSpecSchema.parse({ name: 'a' }))).toBe('native');
    expect(agentKind(AgentSpecSchema.parse({ name: 'r', a2a: { url: 'https://agent.example' } }))).toBe(
      'a2a',
    );
    expect(AgentSpecSchema.parse({ name: 'r', kind: 'a2a', a2a: { url: 'https://x.example' } }).kind).toBe(
      'a2a',
    );
  });

  it('accepts each kind with its fields', () => {
    for (const spec of [
      { name: 'g', kind: 'langgraph', module: './graph.ts', export: 'graph' },
      { name: 'o', kind: 'openai-agents', module: 'agent.mjs' },
      { name: 's', kind: 'ai-sdk', module: 'agent.js', export: 'run' },
      {
        name: 'p',
        kind: 'process',
        command: ['python3', 'agent.py'],
        cwd: '.',
        env: { MODE: 'fast', GH_TOKEN: 'env:GH_TOKEN' },
        timeoutMs: 5000,
      },
    ]) {
      expect(issues(spec), JSON.stringify(spec)).toEqual([]);
    }
  });

  it('names the missing or misplaced field', () => {
    expect(issues({ name: 'g', kind: 'langgraph' })).toEqual([
      "module: kind 'langgraph' needs module: the file that exports the agent",
    ]);
    expect(issues({ name: 'p', kind: 'process' })).toEqual([
      "command: kind 'process' needs command: [program, args…]",
    ]);
    expect(issues({ name: 'n', command: ['x'] })).toEqual([
      "command: belongs to kind 'process', not 'native'",
    ]);
    expect(issues({ name: 'p', kind: 'process', command: ['x'], module: 'a.js' })[0]).toMatch(
      /^module: belongs/,
    );
    expect(issues({ name: 'a', kind: 'a2a' })).toEqual(["a2a: kind 'a2a' needs a2a: { url }"]);
    expect(issues({ name: 'g', kind: 'langgraph', module: 'graph.py' })[0]).toMatch(
      /^module: must name a \.ts/,
    );
    expect(issues({ name: 'g', kind: 'ai-sdk', module: 'a.js', tools: ['read_file'] })[0]).toMatch(
      /^tools: a 'ai-sdk' agent has its own tools/,
    );
    expect(issues({ name: 'k', kind: 'python' })[0]).toMatch(/^kind: /);
  });

  it('refuses literal secrets and the variables agentd sets in a process env', () => {
    const base = { name: 'p', kind: 'process', command: ['x'] };
    expect(issues({ ...base, env: { API_KEY: 'sk-123' } })).toEqual([
      'env.API_KEY: must be a reference like env:VAR, not a literal secret',
    ]);
    expect(issues({ ...base, env: { OPENAI_API_KEY: 'env:X' } })).toEqual([
      'env.OPENAI_API_KEY: is set by agentd for every process agent',
    ]);
  });
});
