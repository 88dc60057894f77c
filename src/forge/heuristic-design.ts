import type { DesignedAgent, TeamDesign } from './team-design.js';

/** A task of at least this many words gets a team even when it has one part. */
export const LONG_TASK_WORDS = 80;

/** What the heuristic reads: the task text, its kind when known, and the tools agents may get. */
export interface HeuristicDesignInput {
  task: string;
  /** The router's task kind; `code` picks the code team. Without it, cues in the text decide. */
  taskKind?: string | undefined;
  /** The tools that exist; a cue never gives an agent a tool that is not among them. */
  toolNames: readonly string[];
}

// Cues are word lists, not a model: cheap, predictable, and easy to explain in the rationale.
const FILE_CUE =
  /\b(?:files?|folders?|director(?:y|ies)|workspace|repo(?:sitory)?|save (?:it|them|the|to|as))\b|\b[\w-]+\.(?:ts|tsx|js|mjs|py|rs|go|java|md|txt|json|csv|ya?ml|toml|html|css|sql)\b/i;
const TIME_CUE =
  /\b(?:time|date|dates|today|tonight|tomorrow|yesterday|now|this (?:week|month|year)|next (?:week|month|year)|deadline|schedule|weekday|timezone|clock|how long ago|days? (?:until|since|left))\b/i;
const CODE_CUE =
  /```|\b(?:code|function|class|method|bug|debug|implement|refactor|script|compile|unit tests?|typescript|javascript|python|rust|golang|java|sql|api|endpoint|regex|algorithm|stack trace|exception)\b/i;
const STEP_CUE = /\b(?:then|after that|afterwards|finally|next|also|as well as|in addition)\b/gi;
const LIST_ITEM = /^\s*(?:[-*•]|\d+[.)])\s+\S/;

/** What the heuristic measured in the task, reported in the rationale. */
interface TaskShape {
  words: number;
  listItems: number;
  sentences: number;
  questions: number;
  steps: number;
}

function shapeOf(task: string): TaskShape {
  return {
    words: task.split(/\s+/).filter((word) => word.length > 0).length,
    listItems: task.split('\n').filter((line) => LIST_ITEM.test(line)).length,
    sentences: task.split(/[.!?]+(?:\s+|$)/).filter((part) => part.trim().length > 0).length,
    questions: (task.match(/\?/g) ?? []).length,
    steps: (task.match(STEP_CUE) ?? []).length,
  };
}

/** Why the task counts as multi-part, or undefined when it does not. */
function multiPartReason(shape: TaskShape): string | undefined {
  if (shape.listItems >= 2) return `it lists ${shape.listItems} items`;
  if (shape.questions >= 2) return `it asks ${shape.questions} questions`;
  if (shape.sentences >= 3 && shape.steps >= 1) return `it has ${shape.sentences} sentences with steps`;
  if (shape.sentences >= 5) return `it has ${shape.sentences} sentences`;
  return undefined;
}

/**
 * A team design from the task text alone, without a model: the fallback when a model's design is
 * invalid twice or the design call fails. A short, one-part task gets one agent; a long or
 * multi-part task gets a small sequential team (planner → implementer → reviewer for code,
 * researcher → writer otherwise). Tools come from cues in the text (files → read_file, write_file,
 * list_files; dates or time → current_time). No rubric or checks: a fallback should not add judging
 * cost the task did not ask for. Pure and deterministic; the rationale says what decided.
 */
export function heuristicDesign(input: HeuristicDesignInput): TeamDesign {
  const shape = shapeOf(input.task);
  const code = input.taskKind !== undefined ? input.taskKind === 'code' : CODE_CUE.test(input.task);
  const available = new Set(input.toolNames);
  const has = (tool: string) => available.has(tool);
  const files = FILE_CUE.test(input.task);
  const time = TIME_CUE.test(input.task);
  const readTools = files ? ['read_file', 'list_files'].filter(has) : [];
  const writeTools = files ? ['read_file', 'write_file', 'list_files'].filter(has) : [];
  const timeTools = time ? ['current_time'].filter(has) : [];
  const gatherer = [...readTools, ...timeTools];
  const producer = [...writeTools, ...timeTools];

  const long = shape.words >= LONG_TASK_WORDS;
  const parts = multiPartReason(shape);
  const why = [long ? `it is long (${shape.words} words)` : undefined, parts].filter(Boolean).join(' and ');
  const kind = code ? 'a code task' : 'a task';

  let agents: DesignedAgent[];
  let topologyNote: string;
  let options: Record<string, unknown>;
  if (!long && !parts) {
    agents = [code ? singleCoder(producer) : singleAssistant(producer)];
    options = {};
    topologyNote = `One agent (single topology): ${kind} that is short (${shape.words} words) and has one part.`;
  } else if (code) {
    agents = [planner(gatherer), implementer(producer), reviewer(producer)];
    // The reviewer must see the plan as well as the code to check one against the other.
    options = { handoff: 'all' };
    topologyNote = `A sequential planner → implementer → reviewer team: ${kind}, and ${why}, so a plan comes before the code and a review after it.`;
  } else {
    agents = [researcher(gatherer), writer(producer)];
    options = { handoff: 'last' };
    topologyNote = `A sequential researcher → writer team: ${why}, so one agent gathers and structures the material and another writes the complete answer.`;
  }
  const topology = agents.length === 1 ? 'single' : 'sequential';
  return {
    topology,
    options,
    agents,
    rationale: `Heuristic design from the task text. ${topologyNote} ${toolNote(files, time, available)}`,
  };
}

function toolNote(files: boolean, time: boolean, available: ReadonlySet<string>): string {
  const notes: string[] = [];
  const fileTools = ['read_file', 'write_file', 'list_files'].filter((tool) => available.has(tool));
  if (files && fileTools.length > 0)
    notes.push(`file tools (${fileTools.join(', ')}): the task mentions files`);
  if (time && available.has('current_time')) notes.push('current_time: the task mentions dates or time');
  return notes.length > 0
    ? `Tools: ${notes.join('; ')}.`
    : 'No tools: the task mentions neither files nor dates, or those tools are not available.';
}

function singleAssistant(tools: string[]): DesignedAgent {
  return {
    name: 'assistant',
    role: 'Assistant',
    instructions: 'Do the task directly, completely and concisely. Answer with the result itself.',
    tools,
  };
}

function singleCoder(tools: string[]): DesignedAgent {
  return {
    name: 'engineer',
    role: 'Software engineer',
    instructions:
      'Do the programming task: write correct, complete, idiomatic code and say briefly how to use it. ' +
      'Handle edge cases and do not leave placeholders.',
    tools,
  };
}

function planner(tools: string[]): DesignedAgent {
  return {
    name: 'planner',
    role: 'Planner',
    instructions:
      'Plan the solution; do not write the final code. List the requirements, the parts to build, the ' +
      'interfaces between them, the edge cases and how to test them, as a numbered plan.',
    tools,
  };
}

function implementer(tools: string[]): DesignedAgent {
  return {
    name: 'implementer',
    role: 'Implementer',
    instructions:
      'Implement the plan above completely: every part, edge cases handled, no placeholders. Where the ' +
      'plan is wrong, fix it and say so.',
    tools,
  };
}

function reviewer(tools: string[]): DesignedAgent {
  return {
    name: 'reviewer',
    role: 'Reviewer',
    instructions:
      'Review the implementation above against the task and the plan. Fix every bug or gap you find, then ' +
      'give the final, complete answer (the corrected code and a short note of what you changed); your ' +
      'output is the result.',
    tools,
  };
}

function researcher(tools: string[]): DesignedAgent {
  return {
    name: 'researcher',
    role: 'Researcher',
    instructions:
      'Do not write the final answer. Break the task into its parts and, for each, gather the facts, ' +
      'figures and arguments it needs, as structured notes for a writer.',
    tools,
  };
}

function writer(tools: string[]): DesignedAgent {
  return {
    name: 'writer',
    role: 'Writer',
    instructions:
      'Using the notes above, write the complete final answer to the task, covering every part it asks ' +
      'for, clearly organised. Your output is the result.',
    tools,
  };
}
