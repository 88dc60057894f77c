import { describe, expect, it } from 'vitest';
import { ExecutorConfigSchema } from './executor-config.js';

describe('executor.retention', () => {
  it('is off by default, checked hourly', () => {
    expect(ExecutorConfigSchema.parse({}).retention).toEqual({ finishedTasks: 'off', checkEvery: '1h' });
  });

  it('takes durations such as 30d and refuses other text, naming the format', () => {
    expect(
      ExecutorConfigSchema.parse({ retention: { finishedTasks: '30d', checkEvery: '90m' } }).retention,
    ).toEqual({
      finishedTasks: '30d',
      checkEvery: '90m',
    });
    const refused = ExecutorConfigSchema.safeParse({ retention: { finishedTasks: '30 days' } });
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toContain('90m, 12h, 30d or 2w');
  });
});
