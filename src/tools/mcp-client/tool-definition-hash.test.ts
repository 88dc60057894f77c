import { describe, expect, it } from 'vitest';
import { exposedName } from './mcp-tool-source.js';
import { toolDefinitionHash } from './tool-definition-hash.js';

describe('toolDefinitionHash', () => {
  const tool = {
    name: 'echo',
    description: 'Repeats the text.',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  };

  it('ignores key order and changes with the name, the description or the input schema', () => {
    const reordered = {
      inputSchema: { required: ['text'], properties: { text: { type: 'string' } }, type: 'object' },
      description: 'Repeats the text.',
      name: 'echo',
    };
    expect(toolDefinitionHash(reordered)).toBe(toolDefinitionHash(tool));
    expect(toolDefinitionHash({ ...tool, name: 'echo2' })).not.toBe(toolDefinitionHash(tool));
    expect(toolDefinitionHash({ ...tool, description: 'Repeats the text!' })).not.toBe(
      toolDefinitionHash(tool),
    );
    expect(
      toolDefinitionHash({
        ...tool,
        inputSchema: { ...tool.inputSchema, properties: { text: { type: 'number' } } },
      }),
    ).not.toBe(toolDefinitionHash(tool));
  });
});

describe('exposedName', () => {
  it('gives names models accept: mcp_<server>_<tool>, other characters as _, at most 64', () => {
    expect(exposedName('files', 'read.file/v2')).toBe('mcp_files_read_file_v2');
    expect(exposedName('s', 'x'.repeat(100))).toHaveLength(64);
  });
});
