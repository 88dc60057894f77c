import { describe, expect, it } from 'vitest';
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
});
