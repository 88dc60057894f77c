import { z } from 'zod';

/** A remote agent reached over A2A 1.0: its base URL (where its Agent Card is) and, optionally, a skill. */
export const A2aRemoteSchema = z.strictObject({
  url: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//i.test(url), { message: 'must be an http(s) URL' })
    .describe('Base URL of the remote A2A agent; its card is at /.well-known/agent-card.json'),
  skill: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('A skill id of the remote card; checked against the card and sent as message metadata'),
});

/** A remote A2A agent as validated. */
export type A2aRemote = z.infer<typeof A2aRemoteSchema>;
