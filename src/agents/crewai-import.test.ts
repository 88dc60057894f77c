import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { builtinTools, createHttpFetchTool, createShellTool } from '../tools/index.js';
import { createNetGuard } from '../security/index.js';
import { importCrewAi } from './crewai-import.js';
import { AGENTD_BUILTIN_TOOLS, mapTool } from './crewai-tools.js';
import type { CrewAiImportInput } from './crewai-import.js';
import { loadTeamFile } from './load-spec-file.js';

// The crew `crewai create crew latest_ai_development` lays out, in examples/.
const project = join(import.meta.dirname, '..', '..', 'examples', 'crewai', 'latest_ai_development');
const read = (file: string) => ({ path: file, text: readFileSync(join(project, file), 'utf8') });
const defaultProject = (): CrewAiImportInput => ({
  agents: { ...read('config/agents.yaml'), path: join(project, 'config/agents.yaml') },
  tasks: { ...read('config/tasks.yaml'), path: join(project, 'config/tasks.yaml') },
  crewPy: read('crew.py'),
});

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** Writes the team and loads it back as `agentd run --team` would. */
async function loadBack(yaml: string) {
  const folder = mkdtempSync(join(tmpdir(), 'agentd-crewai-'));
  folders.push(folder);
  writeFileSync(join(folder, 'team.yaml'), yaml);
  return loadTeamFile(join(folder, 'team.yaml'));
}

function crew(agents: string, tasks: string, extra: Partial<CrewAiImportInput> = {}): CrewAiImportInput {
  return {
    agents: { path: 'agents.yaml', text: agents },
    tasks: { path: 'tasks.yaml', text: tasks },
    ...extra,
  };
}

function refusal(input: CrewAiImportInput): AgentdError {
  try {
    importCrewAi(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentdError);
    expect((error as AgentdError).code).toBe('import.invalid');
    return error as AgentdError;
  }
  throw new Error('the import was not refused');
}

const TWO_AGENTS = `
writer:
  role: Writer
  goal: Write well
  backstory: Years of practice.
editor:
  role: Editor
  goal: Fix the text
  backstory: A sharp eye.
`;

describe('importCrewAi: the default CrewAI project', () => {
  it('writes a sequential team, one agent per task in order, with persona and task in the instructions', async () => {
    const result = importCrewAi(defaultProject());
    const team = await loadBack(result.yaml);

    expect(team).toEqual(result.team);
    expect(team.name).toBe('latest_ai_development');
    expect(team.topology).toBe('sequential');
    expect(team.agents.map((a) => a.name)).toEqual(['researcher', 'reporting_analyst']);
    const [researcher, analyst] = team.agents;
    expect(researcher?.role).toBe('{topic} Senior Data Researcher');
    expect(researcher?.instructions).toContain('Your goal: Uncover cutting-edge developments in {topic}');
    expect(researcher?.instructions).toContain("You're a seasoned researcher");
    expect(researcher?.instructions).toContain('Your task: Conduct a thorough research about {topic}.');
    expect(researcher?.instructions).toContain('Expected output: A list with 10 bullet points');
    expect(analyst?.model).toBe('openai/gpt-4o-mini');
  });

  it('maps tools with a built-in and lists the others, the placeholders and the keys it dropped', () => {
    const result = importCrewAi(defaultProject());
    expect(result.team.agents.map((a) => a.tools)).toEqual([['http_fetch'], ['read_file']]);
    expect(result.mappedTools.map((n) => n.message)).toEqual([
      'scrape_website_tool → http_fetch',
      'file_read_tool → read_file',
    ]);
    expect(result.unmappedTools).toEqual([
      { where: `${join(project, 'config/agents.yaml')}: researcher.tools`, message: 'serper_dev_tool' },
    ]);
    expect(result.placeholders).toEqual(['current_year', 'topic']);
    expect(result.yaml).toContain('# Placeholders kept as written: {current_year}, {topic}.');
    expect(result.notes.map((n) => n.where.split(': ')[1])).toEqual([
      'researcher.verbose',
      'reporting_task.output_file',
      'reporting_analyst.llm',
    ]);
    expect(result.notes.at(-1)?.message).toBe(
      "model openai/gpt-4o-mini; it needs a provider named 'openai' in agentd.yaml (or run with --model)",
    );
  });
});

describe('importCrewAi: processes', () => {
  const tasks = `
draft:
  description: Draft the text about {subject}.
  expected_output: A draft.
  agent: writer
polish:
  description: Polish the draft.
  expected_output: The final text.
  agent: editor
`;

  it('reads a hierarchical process and manager_llm from crew.py: a manager that plans the tasks for the workers', async () => {
    const crewPy = {
      path: 'crew.py',
      text: 'Crew(agents=self.agents, tasks=self.tasks, process=Process.hierarchical, manager_llm="openai/gpt-4o")',
    };
    const result = importCrewAi(crew(TWO_AGENTS, tasks, { crewPy }));
    const team = await loadBack(result.yaml);

    expect(team.topology).toBe('hierarchical');
    expect(team.options).toEqual({ manager: 'manager' });
    expect(team.agents.map((a) => a.name)).toEqual(['manager', 'writer', 'editor']);
    const manager = team.agents[0];
    expect(manager?.model).toBe('openai/gpt-4o');
    expect(manager?.requirements).toEqual({ json: true });
    expect(manager?.instructions).toContain('1. draft (for writer): Draft the text about {subject}.');
    expect(manager?.instructions).toContain('2. polish (for editor): Polish the draft.');
    expect(result.notes.map((n) => n.message)).toContain('process hierarchical (read from crew.py)');
  });

  it('takes an agent that may delegate and has no task as the manager (process: hierarchical in the file)', () => {
    const agents = `process: hierarchical\n${TWO_AGENTS}lead:\n  role: Lead\n  goal: Ship it\n  backstory: Runs the desk.\n  allow_delegation: true\n`;
    const result = importCrewAi(crew(agents, tasks));
    expect(result.team.options).toEqual({ manager: 'lead' });
    expect(result.team.agents.map((a) => a.name)).toEqual(['lead', 'writer', 'editor']);
  });

  it('uses topology dag when a task takes the output of other tasks than the one before it', async () => {
    const three = `${tasks}summary:\n  description: Summarise both.\n  expected_output: A summary.\n  agent: writer\n  context: [draft, polish]\n`;
    const result = importCrewAi(crew(TWO_AGENTS, three));
    const team = await loadBack(result.yaml);
    expect(team.topology).toBe('dag');
    expect(team.agents.map((a) => [a.name, a.dependsOn])).toEqual([
      ['writer', undefined],
      ['editor', ['writer']],
      ['writer-2', ['writer', 'editor']],
    ]);
    expect(team.options).toEqual({ output: 'writer-2' });
  });
});

describe('importCrewAi: refusals name the file and the key', () => {
  const oneTask = 'draft:\n  description: Draft.\n  expected_output: A draft.\n  agent: writer\n';

  it('invalid YAML: the file, the line and the offending text', () => {
    const error = refusal(crew('writer:\n  role: [unclosed\n', oneTask));
    expect(error.message).toMatch(/^agents\.yaml:\d+: not valid YAML/);
    expect(error.message).toMatch(/\n {2}\d+ \| /);
  });

  it('a missing field: the file and the key path', () => {
    const error = refusal(crew('writer:\n  role: Writer\n  goal: Write\n', oneTask));
    expect(error.message).toContain('agents.yaml: writer.backstory:');
  });

  it('a task naming an unknown agent, with the closest name', () => {
    const error = refusal(crew(TWO_AGENTS, oneTask.replace('agent: writer', 'agent: writter')));
    expect(error.message).toBe(
      "tasks.yaml: draft.agent: 'writter' is not an agent of agents.yaml (agents: writer, editor); did you mean writer?",
    );
  });

  it('a context naming a later or unknown task, and a file that is not a map', () => {
    expect(refusal(crew(TWO_AGENTS, `${oneTask}  context: [polish]\n`)).message).toContain(
      "tasks.yaml: draft.context: 'polish' is not a task",
    );
    expect(refusal(crew('- a\n- b\n', oneTask)).message).toContain('agents.yaml: expected a map');
  });
});

describe('tool mapping', () => {
  it('maps CrewAI tool classes and instance names to agentd built-ins, and nothing else', () => {
    expect(mapTool('FileReadTool')).toBe('read_file');
    expect(mapTool('FileReadTool()')).toBe('read_file');
    expect(mapTool('file_writer_tool')).toBe('write_file');
    expect(mapTool('DirectoryReadTool')).toBe('list_files');
    expect(mapTool('ScrapeWebsiteTool')).toBe('http_fetch');
    expect(mapTool('read_file')).toBe('read_file');
    expect(mapTool('SerperDevTool')).toBeUndefined();
    expect(mapTool('PDFSearchTool')).toBeUndefined();
  });

  it('maps only to tools agentd really has', () => {
    const real = [
      ...builtinTools.map((tool) => tool.name),
      createHttpFetchTool({ guard: createNetGuard({ config: {} as never }) }).name,
      createShellTool({ config: {} as never }).name,
    ].sort();
    expect([...AGENTD_BUILTIN_TOOLS].sort()).toEqual(real);
  });
});
