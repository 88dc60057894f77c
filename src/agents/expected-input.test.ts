import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../tools/define-tool.js';
import { createToolRegistry } from '../tools/tool-registry.js';
import type { AgentSpec } from './agent-spec.js';
import { expectedInputTokens } from './expected-input.js';
import { systemPrompt } from './system-prompt.js';
import { toToolSet } from './tool-set.js';

const lookup = defineTool({
  name: 'lookup',
  description: 'Looks a word up in the glossary',
  input: z.object({ word: z.string() }),
  execute: async () => ({}),
});
const tools = createToolRegistry([lookup]);
const agent: AgentSpec = {
  name: 'writer',
  role: 'Writes release notes',
  instructions: 'Write short, plain release notes.',
  tools: ['lookup'],
};

describe('expectedInputTokens', () => {
  it('counts the system message, the prompt and the tools’ schemas at 4 characters a token', () => {
    const prompt = 'Notes for version 2.';
    const chars = systemPrompt(agent).length + prompt.length + JSON.stringify(toToolSet([lookup])).length;
    expect(expectedInputTokens(agent, tools, prompt)).toBe(Math.floor(chars / 4));
  });

  it('counts no schemas for an agent without tools, and skips a tool that does not exist', () => {
    const bare = { ...agent, tools: [] };
    const prompt = 'x'.repeat(400);
    expect(expectedInputTokens(bare, tools, prompt)).toBe(Math.floor((systemPrompt(bare).length + 400) / 4));
    expect(expectedInputTokens({ ...agent, tools: ['missing'] }, tools, prompt)).toBe(
      expectedInputTokens(bare, tools, prompt),
    );
  });
});
