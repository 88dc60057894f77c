import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTeamFile } from '../agents/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';

const project = join(import.meta.dirname, '..', '..', 'examples', 'crewai', 'latest_ai_development');
const agentsYaml = join(project, 'config', 'agents.yaml');
const tasksYaml = join(project, 'config', 'tasks.yaml');

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const made = mkdtempSync(join(tmpdir(), 'agentd-import-'));
  folders.push(made);
  return made;
}

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(argv, { io });
  return { code, stdout, stderr };
}

describe('agentd import crewai', () => {
  it('writes a team that loads and runs, and reports what did not map (exit 0)', async () => {
    const out = join(folder(), 'teams', 'news.yaml');
    const result = await cli(['import', 'crewai', agentsYaml, tasksYaml, '-o', out]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'team latest_ai_development, topology sequential, 2 agents (researcher, reporting_analyst)',
    );
    expect(result.stdout).toContain('researcher.tools: serper_dev_tool');
    expect(result.stdout).toContain('placeholders kept as written: {current_year}, {topic}');
    expect(result.stdout).toMatch(/\d warnings: review .*news\.yaml before running it/);

    const team = await loadTeamFile(out);
    const t = await createTestRuntime({ script: [{ text: 'A report.' }] });
    try {
      const task = await t.runtime.tasks.run({
        prompt: 'topic: AI agents; current_year: 2026',
        team,
        model: 'fake/scripted',
      });
      expect(task.error ?? undefined).toBeUndefined();
      expect(task.status).toBe('succeeded');
      // Both agents ran, each with its CrewAI persona and task in its instructions.
      expect(t.model.calls.some((c) => c.promptText.includes('{topic} Senior Data Researcher'))).toBe(true);
      expect(t.model.calls.some((c) => c.promptText.includes('expand each topic into a full section'))).toBe(
        true,
      );
    } finally {
      await t.dispose();
    }
  });

  it('never overwrites a file without --force', async () => {
    const out = join(folder(), 'team.yaml');
    writeFileSync(out, 'mine\n');
    const refused = await cli(['import', 'crewai', agentsYaml, tasksYaml, '-o', out]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('exists; pass --force');
    expect(readFileSync(out, 'utf8')).toBe('mine\n');

    const forced = await cli(['import', 'crewai', agentsYaml, tasksYaml, '-o', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('name: latest_ai_development');
  });

  it('refuses a folder as -o, and a --name that is not a plain name', async () => {
    const dir = folder();
    for (const force of [[], ['--force']]) {
      const refused = await cli(['import', 'crewai', agentsYaml, tasksYaml, '-o', dir, ...force]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `-o ${dir} is a folder; give a file path such as ${join(dir, 'latest_ai_development.yaml')}`,
      );
    }
    for (const name of ['../../evil', 'a b/c']) {
      const refused = await cli(['import', 'crewai', agentsYaml, tasksYaml, '--name', name]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`--name: '${name}' must be 1-64 letters, digits, _ . - (no spaces)`);
    }
  });

  it('names the file and the key of invalid input, and a missing file', async () => {
    const dir = folder();
    const badTasks = join(dir, 'tasks.yaml');
    writeFileSync(badTasks, 'research_task:\n  description: Research.\n  agent: researcher\n');
    const invalid = await cli(['import', 'crewai', agentsYaml, badTasks, '-o', join(dir, 'out.yaml')]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${badTasks}: research_task.expected_output:`);

    const missing = await cli([
      'import',
      'crewai',
      join(dir, 'nope.yaml'),
      tasksYaml,
      '-o',
      join(dir, 'out.yaml'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: file not found');
  });
});
