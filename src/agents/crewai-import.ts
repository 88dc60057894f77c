import { basename, dirname } from 'node:path';
import { Document, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { closestName } from '../core/closest-name.js';
import { AgentdError } from '../core/errors.js';
import { validate } from '../core/validate.js';
import { describeParseError } from '../core/yaml-error.js';
import './agent-error-codes.js';
import { TeamSpecSchema } from './agent-spec.js';
import type { TeamSpec } from './agent-spec.js';
import { mapTool } from './crewai-tools.js';

/** One CrewAI file as read: where it came from (for messages) and its text. */
export interface CrewAiFile {
  path: string;
  text: string;
}

/** What `importCrewAi` is given. */
export interface CrewAiImportInput {
  agents: CrewAiFile;
  tasks: CrewAiFile;
  /** The crew's `crew.py`, when found: its `process=` and `manager_agent=`/`manager_llm=` are read. */
  crewPy?: CrewAiFile;
  /** The team's name (default: the CrewAI project's folder name). */
  name?: string;
  /** Overrides the process found in the files. */
  process?: 'sequential' | 'hierarchical';
}

/** Something that did not carry over as it was, with where it was and what to do. */
export interface ImportNote {
  /** `file: key.path`. */
  where: string;
  message: string;
}

/** What the import made and what it could not map. */
export interface CrewAiImportResult {
  team: TeamSpec;
  /** The team file: YAML with a header saying where it came from. */
  yaml: string;
  /** `{name}` placeholders kept as written in instructions (CrewAI fills them from its inputs). */
  placeholders: string[];
  /** Tools that map to an agentd built-in (`FileReadTool → read_file`), by where they were listed. */
  mappedTools: ImportNote[];
  /** Tools with no agentd built-in, by where they were listed. */
  unmappedTools: ImportNote[];
  /** Keys and settings that did not map, or mapped only approximately. */
  notes: ImportNote[];
}

/** What to do instead, for CrewAI keys agentd has no field for. */
const KEY_ADVICE: Readonly<Record<string, string>> = {
  allow_delegation: 'list the teammates it may hand work to under `delegates`',
  allow_code_execution: 'enable tools.shell in agentd.yaml and give the agent the `shell` tool',
  output_file:
    'agentd returns the output (`agentd run` prints it); give the agent write_file to save it in the workspace',
  async_execution: 'runs in order here; use topology parallel or dag for concurrent work',
  human_input: 'use `requireApproval` on a tool, or quality.maxRounds escalation to a human review',
  output_json: 'set `requirements: { json: true }` on the agent, or a JSON-schema check in a rubric',
  output_pydantic: 'set `requirements: { json: true }` on the agent, or a JSON-schema check in a rubric',
  guardrail: 'use a rubric check (docs/quality.md)',
  memory: 'agentd memory is configured in agentd.yaml (memory.enabled)',
};

const MAPPED_AGENT_KEYS = new Set(['role', 'goal', 'backstory', 'llm', 'tools', 'max_iter']);
const MAPPED_TASK_KEYS = new Set(['description', 'expected_output', 'agent', 'context', 'tools', 'name']);
/** Crew-level settings a YAML file may carry at its top level beside the agents or tasks. */
const CREW_KEYS = new Set(['process', 'manager_agent', 'manager_llm']);

const TextSchema = z.string().trim().min(1, 'must not be empty');
const NamesSchema = z.array(z.string().min(1), 'must be a list of names');

const CrewAgentSchema = z.looseObject({
  role: TextSchema,
  goal: TextSchema,
  backstory: TextSchema,
  llm: z.string().min(1, 'must name a model').optional(),
  tools: NamesSchema.optional(),
  max_iter: z.number().int().min(1).optional(),
});

const CrewTaskSchema = z.looseObject({
  description: TextSchema,
  expected_output: TextSchema,
  agent: z.string().min(1).optional(),
  context: NamesSchema.optional(),
  tools: NamesSchema.optional(),
});

type CrewAgent = z.infer<typeof CrewAgentSchema>;
type CrewTask = z.infer<typeof CrewTaskSchema>;
type AgentEntry = TeamSpec['agents'][number];

/**
 * Converts a CrewAI crew (its `agents.yaml` and `tasks.yaml`) into an agentd team: role, goal and
 * backstory become instructions; tasks in order become a sequential team (dag when a task's
 * `context` names other tasks than the one before it; hierarchical when the crew's process is), tools
 * map to built-ins where one does the same work. Invalid input throws `import.invalid` naming the
 * file and key; what does not map is returned as notes, never silently dropped.
 */
export function importCrewAi(input: CrewAiImportInput): CrewAiImportResult {
  const notes: ImportNote[] = [];
  const unmappedTools: ImportNote[] = [];
  const mappedTools: ImportNote[] = [];
  const agentsRaw = readYamlMap(input.agents);
  const tasksRaw = readYamlMap(input.tasks);
  const settings = crewSettings(input, agentsRaw, tasksRaw, notes);
  const crewAgents = validate(z.record(z.string(), CrewAgentSchema), withoutCrewKeys(agentsRaw), {
    where: input.agents.path,
    code: 'import.invalid',
  });
  const crewTasks = validate(z.record(z.string(), CrewTaskSchema), withoutCrewKeys(tasksRaw), {
    where: input.tasks.path,
    code: 'import.invalid',
  });
  const agentKeys = Object.keys(crewAgents);
  const taskKeys = Object.keys(crewTasks);
  if (agentKeys.length === 0) throw invalid(`${input.agents.path}: defines no agent`);
  if (taskKeys.length === 0) throw invalid(`${input.tasks.path}: defines no task`);
  checkReferences(input, crewAgents, crewTasks);

  const names = agentNames(agentKeys);
  const toolsOf = (where: string, listed: readonly string[] | undefined): string[] => {
    const mapped: string[] = [];
    for (const tool of listed ?? []) {
      const builtin = mapTool(tool);
      if (builtin) {
        if (!mapped.includes(builtin)) mapped.push(builtin);
        if (!mappedTools.some((note) => note.where === where && note.message.startsWith(`${tool} →`)))
          mappedTools.push({ where, message: `${tool} → ${builtin}` });
        if (builtin === 'shell')
          notes.push({
            where,
            message: `${tool} → shell: enable tools.shell in agentd.yaml (off by default)`,
          });
      } else unmappedTools.push({ where, message: tool });
    }
    return mapped;
  };

  for (const [key, agent] of Object.entries(crewAgents)) {
    for (const extra of Object.keys(agent).filter((k) => !MAPPED_AGENT_KEYS.has(k)))
      notes.push(keyNote(`${input.agents.path}: ${key}.${extra}`, extra));
  }
  for (const [key, task] of Object.entries(crewTasks)) {
    for (const extra of Object.keys(task).filter((k) => !MAPPED_TASK_KEYS.has(k)))
      notes.push(keyNote(`${input.tasks.path}: ${key}.${extra}`, extra));
  }

  const base = (key: string, name: string, extraTools: readonly string[] = []): AgentEntry => {
    const agent = crewAgents[key] as CrewAgent;
    const where = `${input.agents.path}: ${key}`;
    const tools = [...new Set([...toolsOf(`${where}.tools`, agent.tools), ...extraTools])];
    return {
      name,
      role: oneLine(agent.role),
      instructions: persona(agent),
      ...(agent.llm ? { model: modelOf(agent.llm, `${where}.llm`, notes) } : {}),
      tools,
      ...(agent.max_iter ? { maxSteps: Math.min(agent.max_iter, 100) } : {}),
    };
  };

  let team: TeamSpec;
  const teamName = input.name ?? crewName(input.agents.path);
  if (settings.process === 'hierarchical') {
    team = hierarchicalTeam({
      input,
      crewAgents,
      crewTasks,
      names,
      base,
      toolsOf,
      settings,
      teamName,
      notes,
    });
  } else {
    team = sequentialTeam({ input, crewTasks, names, base, toolsOf, teamName, notes });
  }
  // What is written must load as a team: checked here, so a bug shows as an error, not a bad file.
  team = validate(TeamSpecSchema, team, { where: 'the imported team', code: 'import.invalid' });
  const placeholders = placeholdersOf([
    ...Object.values(crewAgents).flatMap((a) => [a.role, a.goal, a.backstory]),
    ...Object.values(crewTasks).flatMap((t) => [t.description, t.expected_output]),
  ]);
  return {
    team,
    yaml: teamYaml(team, input, placeholders),
    placeholders,
    mappedTools,
    unmappedTools: dedupe(unmappedTools),
    notes: dedupe(notes),
  };
}

interface CrewSettings {
  process: 'sequential' | 'hierarchical';
  /** The agents.yaml key of the manager agent, if the crew names one. */
  managerAgent?: string;
  managerLlm?: string;
}

/** The crew's process and manager: from the options, the files' top-level keys, or crew.py. */
function crewSettings(
  input: CrewAiImportInput,
  agentsRaw: Record<string, unknown>,
  tasksRaw: Record<string, unknown>,
  notes: ImportNote[],
): CrewSettings {
  const top = { ...stringKeys(tasksRaw), ...stringKeys(agentsRaw) };
  const py = input.crewPy?.text ?? '';
  const fromPy = {
    process: /Process\.hierarchical/.test(py)
      ? 'hierarchical'
      : /Process\.sequential/.test(py)
        ? 'sequential'
        : undefined,
    managerAgent: /manager_agent\s*=\s*self\.(\w+)\s*\(/.exec(py)?.[1],
    managerLlm: /manager_llm\s*=\s*(?:LLM\s*\(\s*model\s*=\s*)?["']([^"']+)["']/.exec(py)?.[1],
  };
  const process = input.process ?? top['process'] ?? fromPy.process ?? 'sequential';
  if (process !== 'sequential' && process !== 'hierarchical') {
    throw invalid(`${input.agents.path}: process: '${process}' is not sequential or hierarchical`);
  }
  if (fromPy.process === 'hierarchical' && input.crewPy && !input.process && !top['process'])
    notes.push({ where: input.crewPy.path, message: `process ${fromPy.process} (read from crew.py)` });
  const managerAgent = top['manager_agent'] ?? fromPy.managerAgent;
  const managerLlm = top['manager_llm'] ?? fromPy.managerLlm;
  return {
    process,
    ...(managerAgent ? { managerAgent } : {}),
    ...(managerLlm ? { managerLlm } : {}),
  };
}

function sequentialTeam(context: {
  input: CrewAiImportInput;
  crewTasks: Record<string, CrewTask>;
  names: Map<string, string>;
  base: (key: string, name: string, extraTools?: readonly string[]) => AgentEntry;
  toolsOf: (where: string, listed: readonly string[] | undefined) => string[];
  teamName: string;
  notes: ImportNote[];
}): TeamSpec {
  const { input, crewTasks, names, base, toolsOf } = context;
  const taskKeys = Object.keys(crewTasks);
  const used = new Map<string, number>();
  const agentOfTask = new Map<string, string>();
  const agents = taskKeys.map((taskKey): AgentEntry => {
    const task = crewTasks[taskKey] as CrewTask;
    const where = `${input.tasks.path}: ${taskKey}`;
    if (!task.agent)
      throw invalid(`${where}.agent: missing; a sequential crew needs an agent for every task`);
    // An agent with several tasks becomes one agentd agent per task: researcher, researcher-2, …
    const count = (used.get(task.agent) ?? 0) + 1;
    used.set(task.agent, count);
    const stem = names.get(task.agent) as string;
    const name = count === 1 ? stem : `${stem.slice(0, 60)}-${count}`;
    agentOfTask.set(taskKey, name);
    const agent = base(task.agent, name, toolsOf(`${where}.tools`, task.tools));
    return { ...agent, instructions: `${agent.instructions}\n\n${taskText(task)}` };
  });
  // CrewAI hands a task the outputs of its `context` tasks (by default, the task before it). The
  // sequential topology hands each agent the previous output: the same unless a context says otherwise.
  const needsDag = taskKeys.some((key, i) => {
    const context = crewTasks[key]?.context;
    return (
      context !== undefined &&
      !(context.length === 1 && context[0] === taskKeys[i - 1]) &&
      !(i === 0 && context.length === 0)
    );
  });
  if (!needsDag) return { name: context.teamName, topology: 'sequential', agents, options: {} };
  context.notes.push({
    where: input.tasks.path,
    message:
      'a task takes the output of other tasks than the one before it (context): imported as topology dag',
  });
  const withDeps = agents.map((agent, i) => {
    const key = taskKeys[i] as string;
    const context = crewTasks[key]?.context ?? (i > 0 ? [taskKeys[i - 1] as string] : []);
    const dependsOn = context.map((task) => agentOfTask.get(task) as string);
    return dependsOn.length > 0 ? { ...agent, dependsOn } : agent;
  });
  // The crew's result is its last task's output.
  return {
    name: context.teamName,
    topology: 'dag',
    agents: withDeps,
    options: { output: agentOfTask.get(taskKeys.at(-1) as string) },
  };
}

function hierarchicalTeam(context: {
  input: CrewAiImportInput;
  crewAgents: Record<string, CrewAgent>;
  crewTasks: Record<string, CrewTask>;
  names: Map<string, string>;
  base: (key: string, name: string, extraTools?: readonly string[]) => AgentEntry;
  toolsOf: (where: string, listed: readonly string[] | undefined) => string[];
  settings: CrewSettings;
  teamName: string;
  notes: ImportNote[];
}): TeamSpec {
  const { input, crewAgents, crewTasks, names, base, settings } = context;
  if (settings.managerAgent && !crewAgents[settings.managerAgent]) {
    throw invalid(
      `${input.crewPy?.path ?? input.agents.path}: manager_agent: '${settings.managerAgent}' is not an agent of ${input.agents.path}` +
        suggestion(settings.managerAgent, Object.keys(crewAgents)),
    );
  }
  const assigned = new Set(Object.values(crewTasks).flatMap((task) => (task.agent ? [task.agent] : [])));
  // Without a named manager, an agent that may delegate and has no task of its own is the manager.
  const managerKey =
    settings.managerAgent ??
    Object.keys(crewAgents).find(
      (key) => crewAgents[key]?.['allow_delegation'] === true && !assigned.has(key),
    );
  const workers = Object.keys(crewAgents)
    .filter((key) => key !== managerKey)
    .map((key) => {
      const taskTools = Object.entries(crewTasks)
        .filter(([, task]) => task.agent === key)
        .flatMap(([taskKey, task]) => context.toolsOf(`${input.tasks.path}: ${taskKey}.tools`, task.tools));
      return base(key, names.get(key) as string, taskTools);
    });
  if (workers.length === 0)
    throw invalid(`${input.agents.path}: a hierarchical crew needs agents besides its manager`);
  const plan = Object.entries(crewTasks)
    .map(
      ([key, task], i) =>
        `${i + 1}. ${key}${task.agent ? ` (for ${names.get(task.agent)})` : ''}: ${oneLine(task.description)}\n` +
        `   Expected output: ${oneLine(task.expected_output)}`,
    )
    .join('\n');
  const managerName = managerKey ? (names.get(managerKey) as string) : uniqueName('manager', workers);
  const managerBase: AgentEntry = managerKey
    ? base(managerKey, managerName)
    : {
        name: managerName,
        role: 'Crew manager',
        instructions: 'You manage a crew of specialists: give each the part of the work that fits it best.',
        tools: [],
        ...(settings.managerLlm ? { model: modelOf(settings.managerLlm, 'manager_llm', context.notes) } : {}),
      };
  if (!managerKey)
    context.notes.push({
      where: input.crewPy?.path ?? input.agents.path,
      message: `no manager agent: added '${managerName}'${settings.managerLlm ? ` on manager_llm ${settings.managerLlm}` : ''}`,
    });
  const manager: AgentEntry = {
    ...managerBase,
    // The manager answers with a JSON plan (hierarchical topology).
    requirements: { ...managerBase.requirements, json: true },
    instructions: `${managerBase.instructions}\n\nThe crew's tasks, in order:\n${plan}`,
  };
  return {
    name: context.teamName,
    topology: 'hierarchical',
    agents: [manager, ...workers],
    options: { manager: managerName },
  };
}

/** The agent's persona, as CrewAI puts it before every task. */
function persona(agent: CrewAgent): string {
  return `You are ${oneLine(agent.role)}.\nYour goal: ${oneLine(agent.goal)}\n\n${agent.backstory.trim()}`;
}

function taskText(task: CrewTask): string {
  return `Your task: ${task.description.trim()}\n\nExpected output: ${task.expected_output.trim()}`;
}

/** A CrewAI (LiteLLM) model id as an agentd one: `provider/model` as is, a bare name under openai. */
function modelOf(llm: string, where: string, notes: ImportNote[]): string {
  const id = llm.trim();
  const model = /^[^/\s]+\/\S+$/.test(id) ? id : `openai/${id}`;
  const provider = model.split('/')[0] as string;
  notes.push({
    where,
    message:
      (model === id ? `model ${model}` : `model '${id}' has no provider: imported as ${model}`) +
      `; it needs a provider named '${provider}' in agentd.yaml (or run with --model)`,
  });
  return model;
}

/** Each CrewAI agent key as a valid, unique agentd agent name. */
function agentNames(keys: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const key of keys) {
    let name =
      key
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 56) || 'agent';
    for (let n = 2; taken.has(name); n++) name = `${name.replace(/-\d+$/, '')}-${n}`;
    taken.add(name);
    names.set(key, name);
  }
  return names;
}

function uniqueName(wanted: string, agents: readonly AgentEntry[]): string {
  let name = wanted;
  for (let n = 2; agents.some((a) => a.name === name); n++) name = `${wanted}-${n}`;
  return name;
}

function checkReferences(
  input: CrewAiImportInput,
  crewAgents: Record<string, CrewAgent>,
  crewTasks: Record<string, CrewTask>,
): void {
  const agentKeys = Object.keys(crewAgents);
  const taskKeys = Object.keys(crewTasks);
  for (const [key, task] of Object.entries(crewTasks)) {
    if (task.agent !== undefined && !crewAgents[task.agent]) {
      throw invalid(
        `${input.tasks.path}: ${key}.agent: '${task.agent}' is not an agent of ${input.agents.path} ` +
          `(agents: ${agentKeys.join(', ')})${suggestion(task.agent, agentKeys)}`,
      );
    }
    const position = taskKeys.indexOf(key);
    for (const other of task.context ?? []) {
      const at = taskKeys.indexOf(other);
      if (at === -1)
        throw invalid(
          `${input.tasks.path}: ${key}.context: '${other}' is not a task${suggestion(other, taskKeys)}`,
        );
      if (at >= position)
        throw invalid(
          `${input.tasks.path}: ${key}.context: '${other}' comes after it; a task can only use earlier tasks' outputs`,
        );
    }
  }
}

/** Parses a YAML file whose top level must be a map; errors name the file (and the line). */
function readYamlMap(file: CrewAiFile): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(file.text);
  } catch (error) {
    throw invalid(describeParseError(file.path, file.text, error, 'not valid YAML: '));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(
      `${file.path}: expected a map of names to entries (CrewAI's agents.yaml / tasks.yaml layout)`,
    );
  }
  return value as Record<string, unknown>;
}

function stringKeys(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).filter(
      (entry): entry is [string, string] => CREW_KEYS.has(entry[0]) && typeof entry[1] === 'string',
    ),
  );
}

function withoutCrewKeys(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => !(CREW_KEYS.has(key) && typeof value === 'string')),
  );
}

function keyNote(where: string, key: string): ImportNote {
  return {
    where,
    message: KEY_ADVICE[key] ? `not mapped: ${KEY_ADVICE[key]}` : 'not mapped (no agentd equivalent)',
  };
}

/** The CrewAI project's name: `src/NAME/config/agents.yaml` → NAME, else the folder of the file. */
function crewName(agentsPath: string): string {
  const folder = dirname(agentsPath);
  const project = basename(folder) === 'config' ? basename(dirname(folder)) : basename(folder);
  const name = project.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return name === '' || name === '.' ? 'crew' : name;
}

function placeholdersOf(texts: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts)
    for (const match of text.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) found.add(match[1] as string);
  return [...found].sort();
}

function teamYaml(team: TeamSpec, input: CrewAiImportInput, placeholders: readonly string[]): string {
  // Fields at their defaults (empty tool lists, empty options) are left out: the file reads like one
  // written by hand.
  const plain = {
    name: team.name,
    topology: team.topology,
    ...(Object.keys(team.options).length > 0 ? { options: team.options } : {}),
    agents: team.agents.map((agent) => {
      const { tools, ...rest } = agent;
      return tools.length > 0 ? { ...rest, tools } : rest;
    }),
  };
  const doc = new Document(plain);
  const header = [
    ` Imported from CrewAI by \`agentd import crewai\`: ${input.agents.path}, ${input.tasks.path}.`,
    ...(placeholders.length > 0
      ? [
          ` Placeholders kept as written: ${placeholders.map((p) => `{${p}}`).join(', ')}. CrewAI fills them from`,
          ' kickoff(inputs=...); agentd does not: replace them here, or give their values in the task prompt.',
        ]
      : []),
  ];
  doc.commentBefore = header.join('\n');
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

/** Notes once each: an agent's tools are looked at once per task it has. */
function dedupe(notes: readonly ImportNote[]): ImportNote[] {
  const seen = new Set<string>();
  return notes.filter((note) => {
    const key = `${note.where}\u0000${note.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function suggestion(name: string, candidates: readonly string[]): string {
  const close = closestName(name, candidates);
  return close ? `; did you mean ${close}?` : '';
}

function invalid(message: string): AgentdError {
  return new AgentdError({ code: 'import.invalid', message });
}
