import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentFile, loadTeamFile } from '../agents/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { exampleFiles, findExamplesDir } from './init-project.js';

// Every example agent and team of examples/ (the files `agentd init` writes) runs to success on the
// simulated model, in-process.
const examplesDir = findExamplesDir();
const files = exampleFiles(examplesDir);
const agents = files.filter((f) => f.startsWith('agents/'));
const teams = files.filter((f) => f.startsWith('teams/'));

describe('examples', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await createTestRuntime();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('has two agents and a team for each common topology', async () => {
    expect(agents).toHaveLength(2);
    const topologies = await Promise.all(
      teams.map(async (f) => (await loadTeamFile(join(examplesDir, f))).topology),
    );
    expect(new Set(topologies)).toEqual(
      new Set(['sequential', 'parallel', 'debate', 'maker', 'hierarchical']),
    );
  });

  it.each(agents)('%s succeeds on the simulated model', async (file) => {
    const agent = await loadAgentFile(join(examplesDir, file));
    const task = await t.runtime.tasks.run({ prompt: 'Say hello.', agent, model: 'simulated/dry-run' });
    expect(task.error ?? undefined).toBeUndefined();
    expect(task.status).toBe('succeeded');
  });

  it.each(teams)('%s succeeds on the simulated model', async (file) => {
    const team = await loadTeamFile(join(examplesDir, file));
    const task = await t.runtime.tasks.run({
      prompt: 'Plan a small team offsite.',
      team,
      model: 'simulated/dry-run',
    });
    expect(task.error ?? undefined).toBeUndefined();
    expect(task.status).toBe('succeeded');
    // The answer explains the dry run and echoes the user's words, whatever the topology.
    expect(task.output).toMatch(/^\[simulated\] A dry run: no model was asked/);
    expect(task.output).toMatch(/Plan|small|team|offsite/);
    expect(task.output).not.toMatch(/Task|Recalled|memory|Output/);
  });

  it('keeps prose out of the README’s tables: every row has its header’s cells', () => {
    const lines = readFileSync(join(examplesDir, 'README.md'), 'utf8').split('\n');
    let cells = 0;
    for (const line of lines) {
      if (!line.startsWith('|')) {
        cells = 0;
        continue;
      }
      const count = line.split(' | ').length;
      if (cells === 0) cells = count;
      expect(count, line).toBe(cells);
      expect(line, line).toMatch(/^\| (\[`|-|File)/);
    }
  });
});
