import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import { defineTool, type AnyTool } from './define-tool.js';
import { createToolRegistry } from './tool-registry.js';

function fakeTool(name: string): AnyTool {
  return defineTool({
    name,
    description: `the ${name} tool`,
    input: z.object({}),
    execute: async () => ({ name }),
  });
}

function thrown(action: () => unknown): AgentdError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentdError);
    return error as AgentdError;
  }
  throw new Error('expected the action to throw');
}

describe('createToolRegistry', () => {
  const registry = createToolRegistry([fakeTool('alpha'), fakeTool('beta'), fakeTool('gamma')]);

  it('finds tools by name', () => {
    expect(registry.get('beta').name).toBe('beta');
    expect(registry.has('alpha')).toBe(true);
    expect(registry.has('delta')).toBe(false);
  });

  it('lists tools in registration order', () => {
    expect(registry.list().map((tool) => tool.name)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('refuses an unknown name with tool.not_found, listing the available tools', () => {
    const error = thrown(() => registry.get('delta'));
    expect(error.code).toBe('tool.not_found');
    expect(error.category).toBe('invalid');
    expect(error.message).toContain("'delta'");
    expect(error.message).toContain('alpha, beta, gamma');
  });

  it('selects tools in the order asked, without duplicates', () => {
    expect(registry.select(['gamma', 'alpha', 'gamma']).map((tool) => tool.name)).toEqual(['gamma', 'alpha']);
    expect(registry.select([])).toEqual([]);
  });

  it('refuses a selection with unknown names, naming each of them', () => {
    const error = thrown(() => registry.select(['alpha', 'delta', 'epsilon']));
    expect(error.code).toBe('tool.not_found');
    expect(error.message).toContain("'delta', 'epsilon'");
    expect(error.details).toMatchObject({ unknown: ['delta', 'epsilon'] });
  });

  it('refuses two tools with the same name', () => {
    const error = thrown(() => createToolRegistry([fakeTool('alpha'), fakeTool('alpha')]));
    expect(error.code).toBe('tool.duplicate');
    expect(error.message).toContain("'alpha'");
  });

  it('refuses names that model providers would reject', () => {
    expect(thrown(() => createToolRegistry([fakeTool('read file')])).code).toBe('tool.invalid_name');
    expect(thrown(() => createToolRegistry([fakeTool('')])).code).toBe('tool.invalid_name');
  });

  it('keeps working on an empty registry', () => {
    const empty = createToolRegistry([]);
    expect(empty.list()).toEqual([]);
    expect(thrown(() => empty.get('x')).message).toContain('(none)');
  });
});

describe('createToolRegistry with a tool source', () => {
  const resolved: string[][] = [];
  const source = {
    prefix: 'mcp:',
    check(name: string) {
      if (!name.startsWith('mcp:files'))
        throw new AgentdError({ code: 'tool.not_found', message: `no ${name}` });
    },
    async resolve(names: string[]) {
      resolved.push(names);
      return [fakeTool('mcp_files_read'), ...(names.includes('mcp:files/alpha') ? [fakeTool('alpha')] : [])];
    },
  };
  const registry = createToolRegistry([fakeTool('alpha'), fakeTool('beta')], { sources: [source] });

  it('only checks served names in select, without resolving them', () => {
    expect(registry.select(['beta', 'mcp:files']).map((tool) => tool.name)).toEqual(['beta']);
    expect(thrown(() => registry.select(['mcp:other'])).message).toBe('no mcp:other');
    expect(resolved).toEqual([]);
  });

  it('appends the served tools in resolve, asking the source once per distinct name', async () => {
    const tools = await registry.resolve(['beta', 'mcp:files', 'mcp:files']);
    expect(tools.map((tool) => tool.name)).toEqual(['beta', 'mcp_files_read']);
    expect(resolved).toEqual([['mcp:files']]);
  });

  it('refuses a served tool that shadows a registered one', async () => {
    await expect(registry.resolve(['alpha', 'mcp:files/alpha'])).rejects.toMatchObject({
      code: 'tool.duplicate',
    });
  });
});
