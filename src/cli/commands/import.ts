import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { importCrewAi, NAME_PATTERN, NAME_RULE } from '../../agents/index.js';
import type { CrewAiFile, ImportNote } from '../../agents/index.js';
import { AgentdError } from '../../core/errors.js';
import { countOf } from '../../core/plural.js';
import '../cli-error-codes.js';
import type { CliContext } from '../cli-context.js';

/** `agentd import crewai AGENTS TASKS [-o FILE]`: an agentd team file from another framework's files. */
export function registerImport(program: Command, cli: CliContext): void {
  const importer = program
    .command('import')
    .description('Write an agentd team file from another framework’s files');
  importer
    .command('crewai')
    .description(
      'Write an agentd team from a CrewAI crew (agents.yaml, tasks.yaml): roles, goals and backstories become ' +
        'instructions, tasks in order a sequential team (hierarchical when the crew is), tools built-ins where one ' +
        'exists; prints what did not map',
    )
    .argument('<agents>', "the crew's agents.yaml")
    .argument('<tasks>', "the crew's tasks.yaml")
    .option('-o, --output <file>', 'the team file to write (default: teams/NAME.yaml)')
    .option('--name <name>', "the team's name (default: the CrewAI project's folder name)")
    .option(
      '--process <process>',
      'sequential or hierarchical (default: what crew.py or the files say, else sequential)',
    )
    .option('--force', 'overwrite the team file if it exists')
    .option('--json', 'print the result (team and what did not map) as JSON')
    .action(
      (
        agentsPath: string,
        tasksPath: string,
        options: { output?: string; name?: string; process?: string; force?: boolean; json?: boolean },
      ) => {
        if (
          options.process !== undefined &&
          options.process !== 'sequential' &&
          options.process !== 'hierarchical'
        )
          cli.usageError(`--process: '${options.process}' is not sequential or hierarchical`);
        // The name becomes teams/NAME.yaml: '../x' or 'a/b' would write outside teams/.
        if (options.name !== undefined && !NAME_PATTERN.test(options.name))
          cli.usageError(`--name: '${options.name}' ${NAME_RULE}`);
        const crewPy = findCrewPy(agentsPath);
        const result = importCrewAi({
          agents: readInput(agentsPath),
          tasks: readInput(tasksPath),
          ...(crewPy ? { crewPy } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.process ? { process: options.process as 'sequential' | 'hierarchical' } : {}),
        });
        if (options.output === undefined && !NAME_PATTERN.test(result.team.name))
          cli.usageError(
            `the team's name '${result.team.name}' (from the crew's folder) ${NAME_RULE}; pass --name or -o FILE`,
          );
        const output = resolve(options.output ?? join('teams', `${result.team.name}.yaml`));
        if (existsSync(output) && statSync(output).isDirectory())
          cli.usageError(
            `-o ${options.output ?? output} is a folder; give a file path such as ${join(options.output ?? output, `${result.team.name}.yaml`)}`,
          );
        if (existsSync(output) && !options.force) {
          throw new AgentdError({
            code: 'cli.file_exists',
            message: `${output} exists; pass --force to overwrite it, or -o to write elsewhere`,
          });
        }
        mkdirSync(dirname(output), { recursive: true });
        writeFileSync(output, result.yaml);
        if (options.json) {
          cli.io.stdout.write(JSON.stringify({ file: output, ...result, yaml: undefined }, null, 2) + '\n');
          return;
        }
        const shown = relative(process.cwd(), output) || basename(output);
        cli.io.stdout.write(summary(shown, result));
      },
    );
}

function summary(file: string, result: ReturnType<typeof importCrewAi>): string {
  const { team } = result;
  const lines = [
    `wrote ${file}: team ${team.name}, topology ${team.topology}, ${countOf(team.agents.length, 'agent')} ` +
      `(${team.agents.map((agent) => agent.name).join(', ')})`,
  ];
  const list = (title: string, notes: readonly ImportNote[]) => {
    if (notes.length === 0) return;
    lines.push(`${title}:`);
    for (const note of notes) lines.push(`  ${note.where}: ${note.message}`);
  };
  list('tools mapped to built-ins', result.mappedTools);
  list(
    'tools not mapped (no agentd built-in: add an MCP server or a tool of your own, then list it)',
    result.unmappedTools,
  );
  list('notes', result.notes);
  if (result.placeholders.length > 0) {
    const names = result.placeholders.map((p) => `{${p}}`).join(', ');
    lines.push(
      `placeholders kept as written: ${names}; agentd does not fill them: replace them in the file, or give their values in the prompt`,
    );
  }
  const warnings =
    result.unmappedTools.length + result.notes.length + (result.placeholders.length > 0 ? 1 : 0);
  lines.push(
    warnings > 0 ? `${countOf(warnings, 'warning')}: review ${file} before running it` : 'everything mapped',
    `next: agentd run --team ${file} "…"`,
  );
  return lines.join('\n') + '\n';
}

function readInput(path: string): CrewAiFile {
  let text: string;
  try {
    if (statSync(path).isDirectory())
      throw new AgentdError({
        code: 'import.invalid',
        message: `${path}: a folder, not a file; give the YAML file inside it`,
      });
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof AgentdError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new AgentdError({
      code: 'import.invalid',
      message: `${path}: ${code === 'ENOENT' ? 'file not found' : String(error)}`,
    });
  }
  return { path, text };
}

/** CrewAI's layout keeps crew.py beside config/ (src/NAME/crew.py, src/NAME/config/agents.yaml). */
function findCrewPy(agentsPath: string): CrewAiFile | undefined {
  const folder = dirname(resolve(agentsPath));
  for (const candidate of [join(folder, 'crew.py'), join(dirname(folder), 'crew.py')]) {
    if (existsSync(candidate))
      return { path: relative(process.cwd(), candidate) || candidate, text: readFileSync(candidate, 'utf8') };
  }
  return undefined;
}
