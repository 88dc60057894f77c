import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { ReviewSchema, ReviewStatusSchema } from './schemas.js';

/** Lists reviews (human decisions tasks wait on), newest first; the pending ones unless asked. */
export const listReviews = defineOperation({
  name: 'reviews.list',
  description:
    'List reviews (human decisions a waiting task is suspended on), newest first. By default the pending ones; status=answered or status=all for others; filter by taskId; page with `before` (the last id seen).',
  input: z.strictObject({
    status: z
      .union([ReviewStatusSchema, z.literal('all')])
      .default('pending')
      .describe('pending (default), answered, cancelled, or all'),
    taskId: z.string().min(1).max(200).optional().describe("only this task's reviews"),
    limit: z.coerce.number().int().min(1).max(500).default(50).describe('how many'),
    before: z.string().optional().describe('the next page: reviews older than this review id'),
  }),
  output: z.object({ reviews: z.array(ReviewSchema), next: z.string().nullable() }),
  permission: 'reviews.read',
  tenancy: 'task-filter',
  http: { method: 'GET', path: '/v1/reviews' },
  async handler(runtime, input) {
    const reviews = await runtime.reviews.list({
      limit: input.limit,
      ...(input.status === 'all' ? {} : { status: input.status }),
      ...(input.taskId ? { taskId: input.taskId } : {}),
      ...(input.before ? { before: input.before } : {}),
    });
    return { reviews, next: reviews.length === input.limit ? (reviews.at(-1)?.id ?? null) : null };
  },
});
