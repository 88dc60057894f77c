import type { Command } from 'commander';
import { createKey, listKeys, revokeKey } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';
import { table } from '../format.js';
import { registerOperationCommand } from '../operation-command.js';

/** A time in ms as an ISO date-time to the minute, or `-`. */
function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `agentd keys create | list | revoke`: API keys for the HTTP server. */
export function registerKeys(program: Command, cli: CliContext): void {
  const keys = program
    .command('keys')
    .description('API keys for the HTTP API: create (shown once), list, revoke');

  registerOperationCommand(keys, cli, {
    operation: createKey,
    name: 'create',
    description:
      'Create an API key: --name NAME --role admin|operator|viewer|agent [--tenant T] [--expires 30d]. The key is printed once; only its hash is stored.',
    print(created) {
      // The key alone on stdout, so `KEY=$(agentd keys create …)` captures it; the rest on stderr.
      cli.io.stdout.write(`${created.key}\n`);
      cli.io.stderr.write(
        `agentd: created key '${created.name}' (${created.id}, ${created.prefix}…), role ${created.role}` +
          `${created.tenant === null ? '' : `, tenant ${created.tenant}`}` +
          `${created.expiresAt === null ? '' : `, expires ${when(created.expiresAt)} UTC`}; ` +
          'store it now: it cannot be shown again\n',
      );
    },
  });

  registerOperationCommand(keys, cli, {
    operation: listKeys,
    name: 'list',
    description:
      'List API keys (never the keys): name, prefix, role, tenant, expiry, last use; --all adds revoked ones',
    switches: ['all'],
    print(result) {
      if (result.keys.length === 0) {
        cli.io.stderr.write('no API keys\n');
        return;
      }
      cli.io.stdout.write(
        table(
          ['ID', 'NAME', 'PREFIX', 'ROLE', 'TENANT', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'],
          result.keys.map((key) => [
            key.id,
            key.name,
            key.prefix,
            key.role,
            key.tenant ?? '*',
            when(key.createdAt),
            when(key.expiresAt),
            when(key.lastUsedAt),
            when(key.revokedAt),
          ]),
        ),
      );
    },
  });

  registerOperationCommand(keys, cli, {
    operation: revokeKey,
    name: 'revoke',
    description: 'Revoke an API key by id or name; the next request with it gets 401',
    args: [{ field: 'id', name: 'id|name' }],
    print(revoked) {
      cli.io.stderr.write(`agentd: revoked key '${revoked.name}' (${revoked.id})\n`);
    },
  });
}
