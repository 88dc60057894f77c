import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { ReviewDecisionSchema, ReviewSchema } from './schemas.js';

/** Answers a pending review; the task waiting on it resumes. */
export const answerReview = defineOperation({
  name: 'reviews.answer',
  description:
    "Answer a pending review: approve, reject (the agent is told, with the note) or edit (go ahead with `payload`, e.g. `{ input }` replacing a tool call's input). The waiting task resumes. 409 review.already_answered when it was answered before, review.closed when its task was cancelled.",
  input: z
    .strictObject({
      id: z.string().min(1).max(200),
      decision: ReviewDecisionSchema,
      note: z.string().max(10_000).nullable().optional().describe('Why; a rejection note reaches the agent'),
      payload: z
        .json()
        .optional()
        .describe(
          "The edited payload (decision edit only); for a tool approval `{ input }` is the tool's input",
        ),
    })
    .superRefine((input, ctx) => {
      const hasPayload = input.payload !== undefined && input.payload !== null;
      if (input.decision === 'edit' && !hasPayload) {
        ctx.addIssue({ code: 'custom', path: ['payload'], message: 'decision edit needs a payload' });
      } else if (input.decision !== 'edit' && hasPayload) {
        ctx.addIssue({
          code: 'custom',
          path: ['payload'],
          message: `a payload is only taken with decision edit, not ${input.decision}`,
        });
      }
    }),
  output: ReviewSchema,
  permission: 'reviews.answer',
  tenancy: 'review',
  http: { method: 'POST', path: '/v1/reviews/:id', errors: { 409: 'The review was already answered' } },
  handler: (runtime, { id, decision, note, payload }, actor) =>
    runtime.reviews.answer(id, { decision, note: note ?? null, payload: payload ?? null }, actor),
});
