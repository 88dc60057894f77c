import type { Command } from 'commander';
import {
  addMemory,
  editMemory,
  forgetMemory,
  getMemory,
  listAudit,
  listProcedures,
  memoryStats,
  reembedMemory,
  requirePermission,
  searchMemory,
} from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { auditTable, memoryDetail, memorySearchTable, proceduresTable } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';
const SCOPE_KEYS: Readonly<Record<string, string>> = {
  tenant: 'tenant',
  team: 'team',
  agent: 'agent',
  task: 'taskId',
};

/** `agentd memory search | add | show | edit | forget | stats | reembed | procedures`, and `agentd audit`. */
export function registerMemory(program: Command, cli: CliContext): void {
  const memory = program
    .command('memory')
    .description('Memory: search it, add to it, show, edit or forget a memory, stats, re-embed, procedures');
  const print = (value: unknown) => cli.io.stdout.write(JSON.stringify(value, null, 2) + '\n');

  /** `--scope team=research,agent=writer` as request fields (`--tenant` wins for the tenant). */
  function scopeOf(options: { scope?: string; tenant?: string }): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const pair of (options.scope ?? '').split(',').filter((p) => p.trim() !== '')) {
      const [key, ...rest] = pair.split('=');
      const field = SCOPE_KEYS[(key ?? '').trim()];
      const value = rest.join('=').trim();
      if (!field || !value) {
        return cli.usageError(
          `--scope: '${pair}' is not KEY=VALUE with KEY one of ${Object.keys(SCOPE_KEYS).join(', ')}`,
        );
      }
      fields[field] = value;
    }
    // `--tenant ""` reaches the operation, which refuses an empty tenant, rather than meaning the default.
    if (options.tenant !== undefined) fields['tenant'] = options.tenant;
    return fields;
  }

  registerOperationCommand<typeof searchMemory.input, typeof searchMemory.output, { scope?: string }>(
    memory,
    cli,
    {
      operation: searchMemory,
      name: 'search',
      description: 'Hybrid search (BM25 + vectors, re-scored by recency, importance and access), best first',
      args: [{ field: 'q', name: 'query' }],
      flags: { taskId: 'task' },
      switches: ['superseded'],
      extraFlags: (command) =>
        command.option('--scope <pairs>', 'team=NAME,agent=NAME,task=ID (and tenant=NAME)'),
      input: (fields, flags) => ({ ...scopeOf({ scope: flags.scope }), ...fields }),
      print(found) {
        if (found.results.length === 0) return void cli.io.stderr.write('no memories found\n');
        cli.io.stdout.write(memorySearchTable(found.results));
      },
    },
  );

  memory
    .command('add')
    .description(
      'Add a memory (a semantic fact is checked: junk refused, duplicates merged, contradictions superseded)',
    )
    .argument('<content>', 'the memory')
    .option('--layer <layer>', 'working, episodic, semantic (default) or procedural')
    .option('--importance <n>', '0–1 (default 0.5)')
    .option('--tags <tags>', 'comma-separated')
    .option('--scope <pairs>', 'team=NAME,agent=NAME,task=ID (and tenant=NAME)')
    .option('--tenant <name>', 'the tenant (default: memory.tenant)')
    .option('--source <text>', 'where it came from (provenance)')
    .option('--json', 'print JSON')
    .action(async (content: string, options: Record<string, string | boolean | undefined>) => {
      const added = await cli.invoke(addMemory, {
        content,
        ...scopeOf(options as { scope?: string; tenant?: string }),
        ...(options['layer'] ? { layer: options['layer'] } : {}),
        ...(options['importance'] !== undefined
          ? { importance: number(cli, '--importance', options['importance']) }
          : {}),
        ...(options['tags'] ? { tags: options['tags'] } : {}),
        ...(options['source'] ? { source: options['source'] } : {}),
      });
      if (options['json']) return void print(added);
      const note =
        added.outcome === 'merged'
          ? ' (merged into an existing memory that says the same)'
          : added.outcome === 'superseded'
            ? ` (supersedes ${added.superseded?.id ?? 'an older fact'})`
            : '';
      cli.io.stdout.write(`${added.memory.id}\n`);
      cli.io.stderr.write(`${added.outcome}${note}\n`);
    });

  registerOperationCommand(memory, cli, {
    operation: getMemory,
    name: 'show',
    description: 'Show one memory: content, scope, validity, provenance, access',
    args: ['id'],
    print: (found) => void cli.io.stdout.write(memoryDetail(found)),
  });

  memory
    .command('edit')
    .description('Change a memory’s content (embedded again), importance or tags')
    .argument('<id>', 'memory id')
    .option('--content <text>', 'the new content')
    .option('--importance <n>', '0–1')
    .option('--tags <tags>', 'the new tags, comma-separated')
    .option('--tenant <name>', 'the tenant (default: memory.tenant)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: Record<string, string | boolean | undefined>) => {
      const edited = await cli.invoke(editMemory, {
        id,
        ...tenantOf(options as { tenant?: string }),
        ...(options['content'] !== undefined ? { content: options['content'] } : {}),
        ...(options['importance'] !== undefined
          ? { importance: number(cli, '--importance', options['importance']) }
          : {}),
        ...(options['tags'] !== undefined ? { tags: options['tags'] } : {}),
      });
      if (options['json']) return void print(edited);
      cli.io.stdout.write(memoryDetail(edited));
    });

  memory
    .command('forget')
    .description('Delete a memory for good (from the table, the text index and the vector index)')
    .argument('<id>', 'memory id')
    .option('--tenant <name>', 'the tenant (default: memory.tenant)')
    .action(async (id: string, options: { tenant?: string }) => {
      await cli.invoke(forgetMemory, { id, ...tenantOf(options) });
      cli.io.stderr.write(`forgot ${id}\n`);
    });

  registerOperationCommand(memory, cli, {
    operation: memoryStats,
    name: 'stats',
    description: 'Counts per layer, superseded facts, embedding models, the vector index in use',
    print(stats) {
      const lines = [
        `tenant:           ${stats.tenant}`,
        ...Object.entries(stats.layers).map(([layer, n]) => `${`${layer}:`.padEnd(18)}${n}`),
        `superseded:       ${stats.superseded}`,
        `embedding model:  ${stats.embeddingModel ?? 'none (text search only)'}`,
        // The store counts memories without a vector under `none`: not a model, so a line of its own.
        `vectors by model: ${
          Object.entries(stats.embeddingModels)
            .filter(([m]) => m !== 'none')
            .map(([m, n]) => `${m} ${n}`)
            .join(', ') || '-'
        }`,
        `without a vector: ${stats.embeddingModels['none'] ?? 0}`,
        `vector index:     ${stats.vectorIndex}`,
      ];
      cli.io.stdout.write(lines.join('\n') + '\n');
    },
  });

  memory
    .command('reembed')
    .description(
      'Embed again every memory whose vector is missing or from another model (after changing memory.embeddings)',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      // The runtime's own call rather than the memory.reembed operation: only it reports progress,
      // printed on stderr because re-embedding a large store takes a while. The permission check is
      // the operation's.
      requirePermission(cli.actor, reembedMemory.permission, `call ${reembedMemory.name}`);
      const runtime = await cli.openRuntime();
      const result = await runtime.memory.reembed(
        { onProgress: (done) => cli.io.stderr.write(`  re-embedded ${done}\n`) },
        cli.actor,
      );
      if (options.json) return void print(result);
      cli.io.stdout.write(
        `re-embedded ${result.reembedded} memories with ${result.model ?? 'no model'}; ${result.current} were already current\n`,
      );
    });

  memory
    .command('procedures')
    .description('Procedural memory: how each team did per task kind (runs, pass rate, mean cost and time)')
    .option('--kind <kind>', 'only this task kind')
    .option('--topology <name>', 'only this topology')
    .option('--tenant <name>', 'the tenant (default: memory.tenant)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const found = await cli.invoke(listProcedures, {
        limit: options['limit'],
        ...tenantOf(options as { tenant?: string }),
        ...(options['kind'] ? { taskKind: options['kind'] } : {}),
        ...(options['topology'] ? { topology: options['topology'] } : {}),
      });
      if (options['json']) return void print(found);
      if (found.procedures.length === 0) {
        return void cli.io.stderr.write(
          'no procedures yet (tasks add one when they end; dry runs on the simulated model add none)\n',
        );
      }
      cli.io.stdout.write(proceduresTable(found.procedures));
    });

  registerOperationCommand(program, cli, {
    operation: listAudit,
    name: 'audit',
    description: 'The audit log of changes made through the CLI, the HTTP API and library calls',
    print(page) {
      if (page.events.length === 0) return void cli.io.stderr.write('no audit events\n');
      cli.io.stdout.write(auditTable(page.events));
    },
  });
}

/** `--tenant` as a request field; an empty one is passed on for the operation to refuse, not dropped. */
function tenantOf(options: { tenant?: string }): { tenant?: string } {
  return options.tenant !== undefined ? { tenant: options.tenant } : {};
}

function number(cli: CliContext, flag: string, value: string | boolean | undefined): number {
  const parsed = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(parsed)) {
    return cli.usageError(`${flag} must be a number, not '${String(value)}'`);
  }
  return parsed;
}
