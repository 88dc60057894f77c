import { describe, expect, it } from 'vitest';
import { isIdempotentCall } from '../define-tool.js';
import { createToolRegistry } from '../tool-registry.js';
import { builtinTools } from './index.js';

describe('builtinTools', () => {
  it('ships the five built-in tools under snake_case names', () => {
    expect(builtinTools.map((tool) => tool.name)).toEqual([
      'read_file',
      'write_file',
      'list_files',
      'current_time',
      'notes',
    ]);
  });

  it('fits in one registry, each with a description for the model', () => {
    const registry = createToolRegistry(builtinTools);
    for (const tool of registry.list()) expect(tool.description.length).toBeGreaterThan(20);
  });

  it('declares which calls may run again after a crash: reads and whole-file writes, not adding a note', () => {
    const inputs: Record<string, unknown[]> = {
      read_file: [{ path: 'a.txt' }],
      write_file: [{ path: 'a.txt', content: 'x' }],
      list_files: [{}],
      current_time: [{}],
      notes: [{ action: 'read' }, { action: 'add', text: 'cap is 40k' }],
    };
    const declared = builtinTools.flatMap((tool) =>
      (inputs[tool.name] ?? []).map((input) => [tool.name, isIdempotentCall(tool, input)]),
    );
    expect(declared).toEqual([
      ['read_file', true],
      ['write_file', true],
      ['list_files', true],
      ['current_time', true],
      ['notes', true],
      ['notes', false],
    ]);
  });
});
