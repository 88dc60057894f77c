import { describe, expect, it } from 'vitest';
import { cleanEvidence } from './locomo-evidence.js';

describe('LoCoMo evidence ids', () => {
  const known = new Set(['D30:5', 'D8:6', 'D9:17', 'D11:26']);

  it('reads an id with a leading zero as the turn it names', () => {
    const notes: string[] = [];
    expect(cleanEvidence(['D30:05'], known, notes)).toEqual(['D30:5']);
    expect(notes).toEqual(["'D30:05' read as D30:5"]);
  });

  it('splits lists, repairs a stray colon, and drops what names no turn', () => {
    const notes: string[] = [];
    expect(cleanEvidence(['D8:6; D9:17', 'D:11:26', 'D', 'D10:19'], known, notes)).toEqual([
      'D8:6',
      'D9:17',
      'D11:26',
    ]);
    expect(notes).toHaveLength(5);
  });
});
