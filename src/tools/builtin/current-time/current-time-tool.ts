import { z } from 'zod';
import { AgentdError } from '../../../core/errors.js';
import '../../tool-error-codes.js';
import { defineTool } from '../../define-tool.js';

/** Tells the model the current date and time, in UTC or a given IANA time zone. */
export const currentTimeTool = defineTool({
  name: 'current_time',
  // Reads the clock: nothing changes.
  idempotent: true,
  description:
    'Get the current date and time. `timezone` is an IANA time zone name such as "Europe/Paris" ' +
    '(default "UTC"); `iso` is the local time there with its UTC offset, `unix` the Unix time in seconds.',
  input: z.strictObject({
    timezone: z.string().min(1).optional().describe('IANA time zone name, e.g. "America/New_York"'),
  }),
  async execute({ timezone = 'UTC' }, context) {
    const format = timeZoneFormat(timezone);
    // ctx.now(), not Date.now(): a replayed or simulated task must see the time its clock says.
    const now = context.now();
    const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
    for (const part of format.formatToParts(new Date(now))) parts[part.type] = part.value;
    // longOffset gives 'GMT+05:30'; at offset zero ICU versions differ ('GMT' or 'GMT+00:00'), so both become 'Z'.
    const offsetName = (parts.timeZoneName ?? 'GMT').slice('GMT'.length);
    const offset = offsetName === '' || /^[+-]00:00$/.test(offsetName) ? 'Z' : offsetName;
    const milliseconds = String(((now % 1000) + 1000) % 1000).padStart(3, '0');
    const iso =
      `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}` +
      `.${milliseconds}${offset}`;
    return { iso, unix: Math.floor(now / 1000), timezone: format.resolvedOptions().timeZone };
  },
});

function timeZoneFormat(timezone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      // h23: with hour12 off, some ICU versions still print midnight as '24'.
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
  } catch (error) {
    throw new AgentdError({
      code: 'tool.invalid_input',
      message: `unknown time zone '${timezone}'; use an IANA name such as "Europe/Paris" or "UTC"`,
      path: 'timezone',
      cause: error,
    });
  }
}
