import { describe, expect, it } from 'vitest';
import type { ToolContext } from '../../define-tool.js';
import { currentTimeTool } from './current-time-tool.js';

// 2024-07-01T12:34:56.789Z: summer time in Paris (UTC+2), a half-hour offset in Kolkata.
const NOW = Date.UTC(2024, 6, 1, 12, 34, 56, 789);
const context: ToolContext = {
  taskId: 'task-1',
  workspace: '/nonexistent',
  signal: new AbortController().signal,
  now: () => NOW,
};

const currentTime = (input: { timezone?: string }) =>
  currentTimeTool.execute(currentTimeTool.input.parse(input), context);

describe('current_time', () => {
  it('returns the context clock time in UTC by default', async () => {
    await expect(currentTime({})).resolves.toEqual({
      iso: '2024-07-01T12:34:56.789Z',
      unix: Math.floor(NOW / 1000),
      timezone: 'UTC',
    });
  });

  it('returns local time with its offset in a named time zone', async () => {
    await expect(currentTime({ timezone: 'Europe/Paris' })).resolves.toEqual({
      iso: '2024-07-01T14:34:56.789+02:00',
      unix: Math.floor(NOW / 1000),
      timezone: 'Europe/Paris',
    });
    const kolkata = await currentTime({ timezone: 'Asia/Kolkata' });
    expect(kolkata.iso).toBe('2024-07-01T18:04:56.789+05:30');
    expect(Date.parse(kolkata.iso)).toBe(NOW);
  });

  it('prints midnight as 00, not 24', async () => {
    const midnight: ToolContext = { ...context, now: () => Date.UTC(2024, 0, 1, 0, 0, 0, 0) };
    const result = await currentTimeTool.execute({ timezone: 'UTC' }, midnight);
    expect(result.iso).toBe('2024-01-01T00:00:00.000Z');
  });

  it('refuses an unknown time zone with tool.invalid_input', async () => {
    await expect(currentTime({ timezone: 'Mars/Olympus_Mons' })).rejects.toMatchObject({
      code: 'tool.invalid_input',
      category: 'invalid',
      path: 'timezone',
    });
  });
});
