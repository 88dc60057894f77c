import { z } from 'zod';

/** Capabilities an agent needs from its model when it does not name one. */
export const ModelRequirementsSchema = z.strictObject({
  tools: z.boolean().optional(),
  json: z.boolean().optional(),
  vision: z.boolean().optional(),
});

/** An agent: who it is, what it is told, which model (or model capabilities) and tools it uses. */
export const AgentSpecSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
      message: 'must be 1-64 letters, digits, _ . - (no spaces)',
    }),
    role: z.string().min(1).optional(),
    instructions: z.string().min(1).optional(),
    model: z
      .string()
      .regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' })
      .optional(),
    requirements: ModelRequirementsSchema.optional(),
    tools: z.array(z.string().min(1)).default([]),
    maxSteps: z.number().int().min(1).max(100).optional(),
    /** Sampling temperature passed to the model. */
    temperature: z.number().min(0).max(2).optional(),
    /** Cap on output tokens per model call. */
    maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  })
  .refine((spec) => !(spec.model && spec.requirements), {
    message: 'set either model or requirements, not both',
    path: ['model'],
  });

/** An agent spec as validated. */
export type AgentSpec = z.infer<typeof AgentSpecSchema>;
/** Model capability requirements. */
export type ModelRequirements = z.infer<typeof ModelRequirementsSchema>;

/** A team: agents run by a topology. */
export const TeamSpecSchema = z.strictObject({
  name: z.string().min(1).default('team'),
  topology: z.enum(['single', 'sequential']).default('sequential'),
  /** Sequential hand-off: each agent sees the previous output (`last`) or all previous outputs (`all`). */
  handoff: z.enum(['last', 'all']).default('last'),
  agents: z.array(AgentSpecSchema).min(1, { message: 'a team needs at least one agent' }),
});

/** A team spec as validated. */
export type TeamSpec = z.infer<typeof TeamSpecSchema>;

/** The agent used when a task names none. */
export function defaultAgent(): AgentSpec {
  return {
    name: 'assistant',
    role: 'General assistant',
    instructions: 'You are a helpful assistant. Do the task directly and concisely.',
    tools: ['current_time', 'read_file', 'write_file', 'list_files'],
  };
}
