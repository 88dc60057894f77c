import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import { validate } from '../core/validate.js';
import { adminActor, operations, streamOperations } from '../operations/index.js';
import { defineOperation } from '../operations/define-operation.js';
import type { CliContext } from './cli-context.js';
import { buildProgram } from './main.js';
import { registerOperationCommand } from './operation-command.js';

/** A CLI context that records what it was asked to invoke instead of opening a runtime. */
function recordingCli(result: unknown = {}): {
  cli: CliContext;
  invoked: { name: string; input: unknown }[];
  out: string[];
} {
  const invoked: { name: string; input: unknown }[] = [];
  const out: string[] = [];
  const cli: CliContext = {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => undefined } },
    actor: adminActor('cli'),
    exitCode: 0,
    openRuntime: () => Promise.reject(new Error('no runtime in this test')),
    openVault: () => Promise.reject(new Error('no vault in this test')),
    invoke: (operation, input) => {
      invoked.push({ name: operation.name, input });
      return Promise.resolve(result as never);
    },
    usageError(message) {
      throw new Error(message);
    },
  };
  return { cli, invoked, out };
}

const probe = defineOperation({
  name: 'probe.list',
  description: 'List probes.',
  input: z.strictObject({
    id: z.string().describe('which probe'),
    kind: z.enum(['a', 'b']).optional(),
    labelSet: z.array(z.string()).optional().describe('labels, comma-separated'),
    limit: z.coerce.number().int().default(10),
    exact: z.boolean().optional().describe('match exactly'),
  }),
  output: z.object({ probes: z.array(z.string()) }),
  permission: 'tasks.read',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/probes/:id' },
  handler: () => Promise.resolve({ probes: [] }),
});

function program(cli: CliContext): Command {
  const root = new Command('agentd').exitOverride();
  registerOperationCommand(root, cli, {
    operation: probe,
    name: 'probes',
    args: ['id'],
    print: (result) => void cli.io.stdout.write(`${result.probes.length} probes\n`),
  });
  return root;
}

describe('commands generated from operations', () => {
  it('offers every input field as a flag, with its description, allowed values and default', () => {
    const { cli } = recordingCli();
    const command = program(cli).commands.find((c) => c.name() === 'probes');
    const help = command?.helpInformation() ?? '';
    expect(help).toContain('List probes.');
    expect(help).toMatch(/\bid\s+which probe/);
    expect(help).toMatch(/--kind <kind>\s+one of a, b/);
    expect(help).toMatch(/--label-set <list>\s+labels, comma-separated/);
    expect(help).toMatch(/--limit <n>\s+default 10/);
    expect(help).toMatch(/--exact\s+match exactly/);
    expect(help).toContain('--json');
  });

  it('turns arguments and flags into the operation input: lists split, numbers as numbers, switches as true', async () => {
    const { cli, invoked, out } = recordingCli({ probes: ['x', 'y'] });
    await program(cli).parseAsync(
      ['probes', 'p1', '--kind', 'b', '--label-set', 'red, blue', '--limit', '3', '--exact'],
      { from: 'user' },
    );
    expect(invoked).toEqual([
      {
        name: 'probe.list',
        input: { id: 'p1', kind: 'b', labelSet: ['red', 'blue'], limit: 3, exact: true },
      },
    ]);
    expect(out.join('')).toBe('2 probes\n');
  });

  it('leaves a value that is not a number to the operation, which names the field', async () => {
    const { cli, invoked } = recordingCli({ probes: [] });
    await program(cli).parseAsync(['probes', 'p1', '--limit', 'many'], { from: 'user' });
    expect(invoked[0]?.input).toEqual({ id: 'p1', limit: 'many' });
  });

  it('names a refused field by the flag or argument the user typed', async () => {
    const { cli } = recordingCli();
    cli.invoke = (operation, input) => {
      validate(operation.input, input, { where: operation.name, code: 'request.invalid' });
      return Promise.resolve({ probes: [] } as never);
    };
    const refused = await program(cli)
      .parseAsync(['probes', 'p1', '--label-set', 'a', '--limit', '1.5', '--kind', 'c'], { from: 'user' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentdError);
    expect((refused as AgentdError).code).toBe('request.invalid');
    expect((refused as AgentdError).message).toMatch(/^probe\.list: --kind: .*; --limit: /);
    expect((refused as AgentdError).message).not.toMatch(/labelSet|[:;] limit:/);
  });

  it('prints the result as JSON with --json', async () => {
    const { cli, out } = recordingCli({ probes: ['x'] });
    await program(cli).parseAsync(['probes', 'p1', '--json'], { from: 'user' });
    expect(JSON.parse(out.join(''))).toEqual({ probes: ['x'] });
  });
});

/**
 * Where each operation is reached from the CLI. A new operation fails this test until it has a
 * command (for a read-only one, a registerOperationCommand call) or a reason it has none.
 */
const CLI_COMMANDS: Readonly<Record<string, string[] | { none: string }>> = {
  health: { none: 'a liveness probe of the HTTP server; the CLI opens the database itself' },
  'cluster.status': ['cluster', 'status'],
  'tasks.create': ['run'],
  'tasks.list': ['tasks', 'list'],
  'tasks.get': ['tasks', 'show'],
  'tasks.cancel': ['tasks', 'cancel'],
  'tasks.resume': ['tasks', 'resume'],
  'tasks.delete': ['tasks', 'delete'],
  'tasks.prune': ['tasks', 'prune'],
  'tasks.spans': ['tasks', 'show'],
  'tasks.events': ['run'],
  'reviews.list': ['reviews', 'list'],
  'reviews.answer': ['reviews', 'approve'],
  'topologies.list': ['topologies'],
  'models.list': ['models', 'list'],
  'router.explain': ['router', 'explain'],
  'router.stats': ['router', 'stats'],
  'memory.search': ['memory', 'search'],
  'memory.add': ['memory', 'add'],
  'memory.stats': ['memory', 'stats'],
  'memory.procedures': ['memory', 'procedures'],
  'memory.reembed': ['memory', 'reembed'],
  'memory.get': ['memory', 'show'],
  'memory.edit': ['memory', 'edit'],
  'memory.forget': ['memory', 'forget'],
  'audit.list': ['audit'],
  'config.check': ['config', 'check'],
  'providers.check': ['doctor'],
  'keys.create': ['keys', 'create'],
  'keys.list': ['keys', 'list'],
  'keys.revoke': ['keys', 'revoke'],
  'net.check': ['net', 'check'],
  'pii.redact': ['redact'],
  'mcp.tools.list': ['mcp', 'tools', 'list'],
  'mcp.tools.approve': ['mcp', 'tools', 'approve'],
};

describe('the CLI covers the operations', () => {
  it('has a command (or a stated reason for none) for every operation', () => {
    const names = [...operations, ...streamOperations].map((operation) => operation.name).sort();
    expect(Object.keys(CLI_COMMANDS).sort()).toEqual(names);
  });

  it('has each command it claims to have', () => {
    const root = buildProgram(recordingCli().cli);
    for (const [operation, path] of Object.entries(CLI_COMMANDS)) {
      if (!Array.isArray(path)) continue;
      let command: Command | undefined = root;
      for (const word of path) command = command?.commands.find((c) => c.name() === word);
      expect(command, `${operation}: agentd ${path.join(' ')}`).toBeDefined();
    }
  });
});
