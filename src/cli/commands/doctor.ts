import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { runDoctorChecks } from '../doctor-checks.js';

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/**
 * `agentd doctor`: one line per check (Node, config, default model, each provider, database and its
 * permissions, memory, embeddings, vector index, shell isolation, port, interrupted tasks, workspaces),
 * each ok / warn / fail with what to do; `--live` adds one cheap call per provider.
 * Exits 1 when a check fails; warnings alone exit 0.
 */
export function registerDoctor(program: Command, cli: CliContext): void {
  program
    .command('doctor')
    .description(
      'Check this installation: Node, config, providers (--live: one cheap call each), database, embeddings, sqlite-vec, isolation, port, interrupted tasks',
    )
    .option('--live', 'also make one 1-token call per provider and load the embedding model, with latencies')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean; live?: boolean }) => {
      const checks = await runDoctorChecks(cli, { live: options.live === true });
      if (checks.some((check) => check.level === 'fail')) cli.exitCode = 1;
      if (options.json) {
        cli.io.stdout.write(JSON.stringify({ checks }, null, 2) + '\n');
        return;
      }
      for (const check of checks) {
        cli.io.stdout.write(`${MARK[check.level]}  ${check.name}: ${check.detail}\n`);
        if (check.fix && check.level !== 'ok') cli.io.stdout.write(`      fix: ${check.fix}\n`);
      }
    });
}
