import { z } from 'zod';
import { defineOperation } from './define-operation.js';

/** The audit log. */
export const listAudit = defineOperation({
  name: 'audit.list',
  description: 'The audit log of changes made through operations (who, what, which record), newest first.',
  input: z.strictObject({
    action: z.string().min(1).optional().describe('only this action, e.g. memory.forget'),
    target: z.string().min(1).optional().describe('only changes to this record (a memory id, …)'),
    tenant: z
      .string()
      .min(1, 'must not be empty (leave the tenant out for every tenant’s events)')
      .max(200)
      .optional()
      .describe('only this tenant’s events (default: all; a tenant-bound key: its own, another is 403)'),
    limit: z.coerce.number().int().min(1).max(500).default(50).describe('how many'),
    before: z.string().optional().describe('the next page: events older than this event id'),
  }),
  output: z.object({
    events: z.array(
      z.object({
        id: z.string(),
        at: z.number(),
        actor: z.string(),
        action: z.string(),
        target: z.string(),
        tenant: z.string().nullable(),
        details: z.json(),
      }),
    ),
    next: z.string().nullable(),
  }),
  permission: 'audit.read',
  tenancy: 'field',
  http: { method: 'GET', path: '/v1/audit' },
  async handler(runtime, input) {
    const events = await runtime.audit.list(input);
    return { events, next: events.length === input.limit ? (events.at(-1)?.id ?? null) : null };
  },
});
