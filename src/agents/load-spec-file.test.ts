import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentFile, loadTeamFile } from './load-spec-file.js';

describe('agent and team files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a team whose agents are files relative to the team file', async () => {
    mkdirSync(join(dir, 'agents'));
    writeFileSync(join(dir, 'agents', 'editor.yaml'), 'name: editor\ninstructions: Edit.\n');
    writeFileSync(join(dir, 'team.yaml'), 'name: t\nagents:\n  - name: writer\n  - agents/editor.yaml\n');
    const team = await loadTeamFile(join(dir, 'team.yaml'));
    expect(team.agents.map((a) => a.name)).toEqual(['writer', 'editor']);
    expect(team.topology).toBe('sequential');
  });

  it('blames an invalid referenced agent file, not the team file, naming the key', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nmodle: x\n');
    writeFileSync(join(dir, 'team.yaml'), 'agents:\n  - bad.yaml\n');
    await expect(loadTeamFile(join(dir, 'team.yaml'))).rejects.toMatchObject({
      code: 'agent.invalid',
      message: expect.stringMatching(new RegExp(`^${join(dir, 'bad.yaml')}: .*modle`)),
    });
  });

  it('quotes the offending line of a YAML error, and says so when a folder is given as a file', async () => {
    writeFileSync(join(dir, 'team.yaml'), 'name: t\nagents:\n  - name: a\n   role: [oops\n');
    const error = (await loadTeamFile(join(dir, 'team.yaml')).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^team file ${join(dir, 'team.yaml')}:\\d+: not valid YAML: `));
    expect(error.message).toMatch(/\n {2}\d+ \| .*role: \[oops|\n {2}\d+ \| {2}- name: a/);
    mkdirSync(join(dir, 'agents'));
    await expect(loadTeamFile(join(dir, 'agents'))).rejects.toMatchObject({
      message: `team file ${join(dir, 'agents')}: a folder, not a file; give the team file (YAML or JSON) inside it`,
    });
  });

  it('names the file and the key of an invalid agent', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ name: 'has space', maxSteps: 'x' }));
    const error = await loadAgentFile(join(dir, 'a.json')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'agent.invalid', path: 'name' });
    expect(String((error as Error).message)).toContain('maxSteps');
  });

  it('accepts a pinned model with routing requirements for its fallbacks; refuses bad ones and a missing file', async () => {
    writeFileSync(
      join(dir, 'a.yaml'),
      'name: a\nmodel: openai/gpt-4o\nrequirements: {tools: true, minQuality: 0.8, objective: best}\n',
    );
    await expect(loadAgentFile(join(dir, 'a.yaml'))).resolves.toMatchObject({
      model: 'openai/gpt-4o',
      requirements: { tools: true, minQuality: 0.8, objective: 'best' },
    });
    writeFileSync(join(dir, 'b.yaml'), 'name: b\nrequirements: {minQuality: 2, objective: fastest}\n');
    await expect(loadAgentFile(join(dir, 'b.yaml'))).rejects.toMatchObject({ code: 'agent.invalid' });
    await expect(loadAgentFile(join(dir, 'none.yaml'))).rejects.toMatchObject({ code: 'agent.not_found' });
  });
});
