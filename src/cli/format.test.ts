import { describe, expect, it } from 'vitest';
import { table } from './format.js';

describe('table', () => {
  it('prints no control characters of a cell (terminal escapes, line breaks)', () => {
    const printed = table(['SERVER', 'TOOL'], [['evil', 'read\u001b[2J\u001b]0;owned\u0007\nfile\u009b']]);
    expect(printed).toBe('SERVER  TOOL\nevil    read [2J ]0;owned  file\n');
  });
});
