import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mintApiKey } from './api-key-material.js';
import { estimateTokenBits, isStrongToken } from './token-strength.js';

describe('the token strength estimate', () => {
  it('accepts what `openssl rand -base64 32` and `-hex 32` print, and minted API keys', () => {
    for (let i = 0; i < 200; i++) {
      expect(isStrongToken(randomBytes(32).toString('base64'))).toBe(true);
      expect(isStrongToken(randomBytes(32).toString('hex'))).toBe(true);
      expect(isStrongToken(mintApiKey().key)).toBe(true);
    }
  });

  it('refuses short, patterned and low-variety tokens, however long', () => {
    expect(isStrongToken('')).toBe(false);
    expect(isStrongToken('x')).toBe(false);
    expect(isStrongToken('correct-horse-battery-staple')).toBe(false);
    expect(isStrongToken(randomBytes(16).toString('base64'))).toBe(false);
    expect(isStrongToken('a'.repeat(500))).toBe(false);
    expect(isStrongToken('ab'.repeat(200))).toBe(false);
    expect(isStrongToken('0123456'.repeat(20))).toBe(false);
    expect(estimateTokenBits('a'.repeat(500))).toBeLessThan(20);
    expect(isStrongToken('Password1234!'.repeat(10))).toBe(false);
  });
});
