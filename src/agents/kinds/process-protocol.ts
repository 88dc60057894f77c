import { z } from 'zod';

/** Longest line a process agent may write on stdout (its final output is one line). */
export const MAX_LINE_CHARS = 1_048_576;
/** Most stdout lines one run may write; more fails the agent (a runaway writer). */
export const MAX_LINES = 10_000;
/** Most progress events one run emits; later ones are dropped (they are stored with the task). */
export const MAX_PROGRESS_EVENTS = 200;
/** Longest progress message kept; longer ones are cut. */
export const MAX_PROGRESS_CHARS = 2_000;

/** The one line agentd writes on a process agent's stdin. */
export const ProcessInputLineSchema = z.object({
  type: z.literal('input'),
  prompt: z.string().describe("The agent's input: the task, and what earlier agents of the topology said"),
  instructions: z.string().optional().describe("The spec's instructions, when it has any"),
  agent: z.string().describe("The agent's name"),
  taskId: z.string(),
  model: z.string().describe('The model name to ask the gateway for (also in AGENTD_MODEL)'),
});

/** The input line as written. */
export type ProcessInputLine = z.infer<typeof ProcessInputLineSchema>;

/** One line a process agent writes on stdout: progress, its final output, or its failure. */
export const ProcessOutputLineSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('progress'),
    message: z.string().describe('Shown as an agent-progress event'),
  }),
  z.looseObject({
    type: z.literal('output'),
    text: z.string().describe("The agent's answer (the first output line counts)"),
  }),
  z.looseObject({
    type: z.literal('error'),
    message: z.string().describe('Fails the agent with this message'),
  }),
]);

/** A protocol line as parsed. */
export type ProcessOutputLine = z.infer<typeof ProcessOutputLineSchema>;

/** A stdout line: a protocol line, or anything else (logged, not fatal: programs print while debugging). */
export function parseProcessLine(line: string): ProcessOutputLine | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = ProcessOutputLineSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Splits a stream of text into lines, refusing a line longer than `maxChars` instead of holding it.
 * Hand-written: node:readline has no bound on a line's length.
 */
export function createLineSplitter(options: {
  maxChars: number;
  onLine(line: string): void;
  onOverlong(): void;
}): { push(chunk: string): void; end(): void } {
  let pending = '';
  let failed = false;
  return {
    push(chunk) {
      if (failed) return;
      pending += chunk;
      let index: number;
      while ((index = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, index).replace(/\r$/, '');
        pending = pending.slice(index + 1);
        if (line.length > options.maxChars) {
          failed = true;
          options.onOverlong();
          return;
        }
        options.onLine(line);
      }
      if (pending.length > options.maxChars) {
        failed = true;
        options.onOverlong();
      }
    },
    end() {
      if (!failed && pending.length > 0) options.onLine(pending);
      pending = '';
    },
  };
}
