import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('sorts ids made in the same millisecond in creation order', () => {
    const ids = Array.from({ length: 500 }, () => newId('task', 1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts ids by time across milliseconds', () => {
    expect(newId('task', 2_000) < newId('task', 3_000)).toBe(true);
    expect(newId('task', 3_000) < newId('task', 2_000_000)).toBe(true);
  });
});
