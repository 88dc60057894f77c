import { z } from 'zod';
import { describeProcedure } from '../memory/index.js';
import type { ProcedureRecord } from '../store/procedure-store.js';
import { topologies } from '../topology/index.js';
import type { Topology } from '../topology/index.js';
import { procedureAgents, rankProcedures } from './preferred-procedure.js';

/** A tool a designed agent may be given: its name and what it does. */
export interface ForgeTool {
  name: string;
  description: string;
}

/** How many past procedures the prompt shows: the best few say enough, more only cost tokens. */
export const MAX_PROCEDURES_SHOWN = 3;

/** The header the judge's feedback goes under, so a redesign sees why the last round failed. */
export const FEEDBACK_HEADER = '# Feedback from the rejected round';

/** The header of the errors a repair request lists. */
export const REPAIR_HEADER = '# Your previous design was invalid';

/** The instructions of the model that designs teams. */
export const FORGE_INSTRUCTIONS = [
  'You design a team of AI agents for a task: a topology, its options, the agents (role, instructions,',
  'tools, model requirements), how the output is judged, and a budget. Answer with one JSON object that',
  'matches the schema, and nothing else.',
  '',
  'Rules:',
  '- Choose the simplest topology that fits. A short or simple task gets the single topology and one',
  '  agent. Every extra agent costs model calls; one to four agents fit most tasks.',
  '- Each agent’s instructions say what it does in this team and what it hands on to the next.',
  '- Give an agent only tools from the list of available tools, and only those it needs.',
  '- Options that name an agent (manager, judge, hub, aggregator, maker, output) name an agent of this',
  '  team. dependsOn is for the dag topology only, parent for the forest topology only.',
  '- Add a rubric when quality is a matter of judgement, and checks when the output can be checked',
  '  mechanically (format, required words, length, files). Leave both out for simple tasks: the output',
  '  is then not judged, which costs nothing.',
  '- Set a budget only when the task asks for a limit.',
  '- The rationale says in one to three sentences why this design fits the task.',
].join('\n');

/** Check types the judge runs, for the `checks` of a design (the integrator may pass its own). */
export const DEFAULT_CHECK_GUIDE = [
  'Check types (fields; ? marks optional ones):',
  '- contains (text, caseSensitive?): the output contains the text.',
  '- excludes (text, caseSensitive?): the output does not contain the text.',
  '- regex (pattern, flags?, match?): the output matches the pattern (match: false: must not match).',
  '- length (min?, max?, unit?: "chars" | "words"): the output’s length is within bounds.',
  '- json-schema (schema): the output is JSON valid against the JSON Schema.',
  '- files (paths): workspace-relative files that must exist after the run.',
  '- command (argv, cwd?, timeoutMs?): a program run in the workspace that must exit 0 (runs only when allowed).',
].join('\n');

/** What the design prompt is built from. */
export interface ForgePromptInput {
  task: string;
  /** The task kind (the router's classifier: code, writing, …). */
  taskKind: string;
  /** The recalled-memory block, as memory recall returns it. */
  recalled?: string | undefined;
  /** Procedural memory: outcomes of past teams; those of this task kind are shown, best first. */
  procedures?: readonly ProcedureRecord[] | undefined;
  /** The procedure the model is told to prefer (see preferredProcedure). */
  preferred?: ProcedureRecord | undefined;
  /** A judge's issues and suggestions from a rejected round. */
  feedback?: string | undefined;
  tools: readonly ForgeTool[];
  /** How checks are written; DEFAULT_CHECK_GUIDE when not given. */
  checkGuide?: string | undefined;
}

/**
 * The prompt that asks a model for a team design: the task and its kind, recalled memory, the designs
 * that worked before (the preferred one marked), the feedback of a rejected round, the topologies with
 * their options, the tools, and the check types. Sections without content are left out.
 */
export function forgePrompt(input: ForgePromptInput): string {
  const sections = [`# Task\n${input.task}\n\nTask kind: ${input.taskKind}`];
  if (input.recalled?.trim()) sections.push(`# Recalled memory\n${input.recalled.trim()}`);
  const history = historySection(input);
  if (history) sections.push(history);
  if (input.feedback?.trim()) {
    sections.push(
      `${FEEDBACK_HEADER}\nThe judge rejected the output of the last round. Its issues and suggestions ` +
        'follow; design the team so that the next round fixes them (change the agents, their ' +
        'instructions, the topology or the checks as needed).\n\n' +
        input.feedback.trim(),
    );
  }
  sections.push(`# Topologies\n${[...topologies.values()].map(describeTopology).join('\n')}`);
  sections.push(
    `# Tools\n${
      input.tools.length > 0
        ? input.tools.map((tool) => `- ${tool.name}: ${oneLine(tool.description)}`).join('\n')
        : '(none: every agent gets tools: [])'
    }\nAn agent may hand a sub-task to a teammate by naming it in delegates; the delegate tool is then added for it.`,
  );
  sections.push(`# Checks\n${input.checkGuide ?? DEFAULT_CHECK_GUIDE}`);
  sections.push('Answer with the team design as one JSON object.');
  return sections.join('\n\n');
}

/**
 * The prompt of the one repair request: the original prompt, the previous answer, and its validation
 * errors verbatim, so the model fixes exactly what failed.
 */
export function repairPrompt(prompt: string, previous: unknown, errors: readonly string[]): string {
  return (
    `${prompt}\n\n${REPAIR_HEADER}\nYour previous answer:\n\`\`\`json\n${clip(json(previous))}\n\`\`\`\n` +
    `It failed validation:\n${errors.map((error) => `- ${error}`).join('\n')}\n\n` +
    'Answer again with a corrected design that fixes every error above.'
  );
}

/** Past procedures of the task kind, best first, with what to do about the preferred one. */
function historySection(input: ForgePromptInput): string | undefined {
  const ranked = rankProcedures(input.procedures ?? [], input.taskKind).slice(0, MAX_PROCEDURES_SHOWN);
  const { preferred } = input;
  if (preferred && !ranked.includes(preferred)) ranked.unshift(preferred);
  if (ranked.length === 0) return undefined;
  const lines = ranked.map(
    (procedure) => `- ${procedure === preferred ? '(preferred) ' : ''}${describeProcedure(procedure)}`,
  );
  const advice = preferred
    ? `Prefer the design marked preferred: use its topology (${preferred.topology}) and its agents in the ` +
      `same order (${procedureAgents(preferred).join(', ')}), with instructions written for this task. ` +
      'Depart from it only when this task clearly needs something else (or the feedback below says it ' +
      'failed), and then say why in the rationale.'
    : 'None of these has enough runs and passes to be sure of; treat them as hints.';
  return `# Designs that worked before for ${input.taskKind} tasks\n${lines.join('\n')}\n${advice}`;
}

/** A topology in one line: what it does, the agent fields it reads, and its options. */
export function describeTopology(topology: Topology<unknown>): string {
  const fields = topology.agentFields?.length ? ` Agents may set ${topology.agentFields.join(' and ')}.` : '';
  const options = describeOptions(topology);
  return `- ${topology.name}: ${topology.description}${fields} Options: ${options}.`;
}

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  default?: unknown;
}

/** The options of a topology, read from the JSON Schema of its options schema. */
function describeOptions(topology: Topology<unknown>): string {
  const schema = z.toJSONSchema(topology.options as z.ZodType, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const type = property.enum
      ? property.enum.map((value) => JSON.stringify(value)).join(' | ')
      : property.type;
    const notes = [
      ...(required.has(name) && property.default === undefined ? ['required'] : []),
      ...(property.default !== undefined ? [`default ${JSON.stringify(property.default)}`] : []),
    ];
    return `${name}: ${type ?? 'any'}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  });
  return entries.length > 0 ? entries.join('; ') : 'none';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch (error) {
    // A value JSON cannot show (a cycle, a BigInt) is still shown, with why it is not JSON.
    return `${String(value)} (not JSON: ${(error as Error).message})`;
  }
}

/** Long enough for any sensible design; a runaway answer should not double the repair's tokens. */
const MAX_PREVIOUS_CHARS = 12_000;

function clip(text: string): string {
  return text.length > MAX_PREVIOUS_CHARS ? `${text.slice(0, MAX_PREVIOUS_CHARS)}\n… (cut)` : text;
}
