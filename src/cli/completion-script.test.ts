import { describe, expect, it } from 'vitest';
import { adminActor } from '../operations/index.js';
import type { CliContext } from './cli-context.js';
import { completionScript, COMPLETION_SHELLS } from './completion-script.js';
import { buildProgram } from './main.js';

const cli = {
  io: { stdout: { write: () => true }, stderr: { write: () => true } },
  actor: adminActor('cli'),
  exitCode: 0,
} as unknown as CliContext;

describe('completionScript', () => {
  const program = buildProgram(cli);
  const topLevel = program.commands.map((c) => c.name());

  it.each(COMPLETION_SHELLS)('%s lists every top-level command', (shell) => {
    expect(topLevel).toEqual(expect.arrayContaining(['run', 'tasks', 'init', 'completion', 'doctor']));
    const script = completionScript(program, shell);
    for (const name of topLevel) {
      const listed =
        shell === 'fish'
          ? script.includes(`-n '__fish_use_subcommand' -a ${name} -d`)
          : new RegExp(`^ {4}'' ?\\) candidates=\\(?'?[^\\n]*\\b${name}\\b`, 'm').test(script);
      expect(listed, `${shell}: ${name}`).toBe(true);
    }
  });

  it('completes subcommands and options of a nested command', () => {
    const bash = completionScript(program, 'bash');
    expect(bash).toMatch(/'tasks'\) candidates='list show cancel delete prune resume/);
    expect(bash).toMatch(/'run'\) candidates='[^']*--team[^']*'/);
    expect(bash).toContain('complete -o default -F _agentd_completion agentd');
    expect(completionScript(program, 'zsh')).toContain('compdef _agentd agentd');
    expect(completionScript(program, 'fish')).toContain(
      "-n '__fish_seen_subcommand_from tasks; and not __fish_seen_subcommand_from list show cancel delete prune resume' -a list",
    );
  });
});
