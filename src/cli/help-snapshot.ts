import type { Command } from 'commander';

/** The width help is rendered at in the snapshot: commander's own default when output is not a terminal. */
export const SNAPSHOT_HELP_WIDTH = 80;

/**
 * The `--help` text of every command of `program`, keyed by its command path ("" for the root,
 * "tasks list"), rendered at {@link SNAPSHOT_HELP_WIDTH} columns. The build writes it to
 * dist/help.json so bin/agentd.js answers `--help` without loading the bundle.
 */
export function helpSnapshot(program: Command): Record<string, string> {
  const texts: Record<string, string> = {};
  const walk = (command: Command, path: string[]): void => {
    command.configureHelp({ helpWidth: SNAPSHOT_HELP_WIDTH });
    texts[path.join(' ')] = command.helpInformation();
    for (const child of command.commands) walk(child, [...path, child.name()]);
  };
  walk(program, []);
  return texts;
}
