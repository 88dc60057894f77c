import { describe, expect, it } from 'vitest';
import { MEMORY_RECALL_STEP, recallSummary } from './task-result.js';

describe('recallSummary', () => {
  it('counts the recalled lines under the heading and the block’s tokens (4 characters each)', () => {
    const block = 'Recalled memory:\n- (2026-12-01, episodic) one\n- (2026-12-02, semantic) two';
    expect(
      recallSummary([
        { name: 'model:a:1', output: 'x' },
        { name: MEMORY_RECALL_STEP, output: block },
      ]),
    ).toEqual({
      recalled: 2,
      recallTokens: Math.ceil(block.length / 4),
    });
  });

  it('reports nothing recalled for an empty block, and no figures without a recall step', () => {
    expect(recallSummary([{ name: MEMORY_RECALL_STEP, output: '' }])).toEqual({
      recalled: 0,
      recallTokens: 0,
    });
    expect(recallSummary([{ name: 'model:a:1', output: 'x' }])).toBeUndefined();
  });
});
