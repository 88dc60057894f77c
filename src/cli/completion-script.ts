import type { Command } from 'commander';

/** The shells `agentd completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** A command of the tree: its path of names, what it does, its subcommands' names and its options. */
interface CommandNode {
  path: string[];
  description: string;
  subcommands: { name: string; description: string }[];
  options: { flags: string[]; description: string }[];
}

/** Every command of the program tree, the root first (its path is empty), parents before children. */
export function commandNodes(program: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const walk = (command: Command, path: string[]): void => {
    const options = command.options
      .filter((option) => !option.hidden)
      .map((option) => ({
        flags: [option.short, option.long].filter((flag): flag is string => flag !== undefined),
        description: option.description,
      }));
    options.push({ flags: ['--help', '-h'], description: 'display help' });
    const children = command.commands.filter((child) => !(child as { _hidden?: boolean })._hidden);
    nodes.push({
      path,
      description: command.description(),
      subcommands: children.map((child) => ({ name: child.name(), description: child.description() })),
      options,
    });
    for (const child of children) walk(child, [...path, child.name()]);
  };
  walk(program, []);
  return nodes;
}

/** The completion script for `shell`, generated from the commands and options of `program`. */
export function completionScript(program: Command, shell: CompletionShell): string {
  const nodes = commandNodes(program);
  const name = program.name();
  if (shell === 'fish') return fishScript(name, nodes);
  return shell === 'bash' ? bashScript(name, nodes) : zshScript(name, nodes);
}

/** Command and option names are plain words; anything else is left out rather than quoted. */
const WORD = /^[A-Za-z0-9][A-Za-z0-9_:.-]*$|^--?[A-Za-z0-9][A-Za-z0-9_-]*$/;

function words(node: CommandNode): string[] {
  return [...node.subcommands.map((c) => c.name), ...node.options.flatMap((o) => o.flags)].filter((w) =>
    WORD.test(w),
  );
}

/** The `case` arms mapping a command path ("tasks list") to its candidate words. */
function caseArms(nodes: CommandNode[], assign: (list: string) => string): string {
  return nodes.map((node) => `    '${node.path.join(' ')}') ${assign(words(node).join(' '))} ;;`).join('\n');
}

/** The known command paths, `|`-separated with a leading and trailing `|`, for a substring test. */
function knownPaths(nodes: CommandNode[]): string {
  return `|${nodes
    .filter((n) => n.path.length > 0)
    .map((n) => n.path.join(' '))
    .join('|')}|`;
}

function bashScript(name: string, nodes: CommandNode[]): string {
  const fn = `_${name.replace(/\W/g, '_')}_completion`;
  return `# bash completion for ${name}: eval "$(${name} completion bash)" (e.g. in ~/.bashrc)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath="" word i candidates=""
  local known='${knownPaths(nodes)}'
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$known" in *"|\${cmdpath:+$cmdpath }$word|"*) cmdpath="\${cmdpath:+$cmdpath }$word" ;; esac
  done
  case "$cmdpath" in
${caseArms(nodes, (list) => `candidates='${list}'`)}
  esac
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
complete -o default -F ${fn} ${name}
`;
}

function zshScript(name: string, nodes: CommandNode[]): string {
  const fn = `_${name.replace(/\W/g, '_')}`;
  return `#compdef ${name}
# zsh completion for ${name}: eval "$(${name} completion zsh)" (e.g. in ~/.zshrc, after compinit)
${fn}() {
  local cmdpath="" word i
  local -a candidates
  local known='${knownPaths(nodes)}'
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    case "$known" in *"|\${cmdpath:+$cmdpath }$word|"*) cmdpath="\${cmdpath:+$cmdpath }$word" ;; esac
  done
  case "$cmdpath" in
${caseArms(nodes, (list) => `candidates=(${list})`)}
  esac
  # Like bash's -o default: file names when no command or option matches.
  compadd -- $candidates || _files
}
compdef ${fn} ${name}
`;
}

function fishScript(name: string, nodes: CommandNode[]): string {
  const quote = (text: string): string => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  const lines = [
    `# fish completion for ${name}: ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -f`,
  ];
  for (const node of nodes) {
    // A command is current when its path has been seen and none of its subcommands has.
    const seen = node.path.map((part) => `__fish_seen_subcommand_from ${part}`);
    const notSub =
      node.subcommands.length > 0
        ? [`not __fish_seen_subcommand_from ${node.subcommands.map((c) => c.name).join(' ')}`]
        : [];
    const condition = node.path.length === 0 ? ['__fish_use_subcommand'] : [...seen, ...notSub];
    const when = `-n ${quote(condition.join('; and '))}`;
    for (const sub of node.subcommands) {
      if (!WORD.test(sub.name)) continue;
      lines.push(`complete -c ${name} ${when} -a ${sub.name} -d ${quote(sub.description)}`);
    }
    for (const option of node.options) {
      const parts = option.flags
        .filter((f) => WORD.test(f))
        .map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`));
      if (parts.length === 0) continue;
      const optWhen =
        node.path.length === 0 ? `-n ${quote('__fish_use_subcommand')}` : `-n ${quote(seen.join('; and '))}`;
      lines.push(`complete -c ${name} ${optWhen} ${parts.join(' ')} -d ${quote(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
