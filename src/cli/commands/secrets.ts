import type { Command } from 'commander';
import { parseMasterKey } from '../../runtime/index.js';
import type { OpenedSecretVault } from '../../runtime/index.js';
import type { CliContext } from '../cli-context.js';
import { table } from '../format.js';
import { readSecretInput } from '../read-secret-input.js';

/**
 * `agentd secrets set NAME | list | rm NAME | rotate-key`: the local vault. Not an operation (no HTTP
 * or MCP route): secrets are managed on the machine that holds the key file (ADR 0052).
 */
export function registerSecrets(program: Command, cli: CliContext): void {
  const secrets = program
    .command('secrets')
    .description('The secrets vault: values encrypted at rest, referred to in config as secret:NAME');

  secrets
    .command('set')
    .description(
      'Store a secret; the value is read from stdin (piped) or a prompt without echo, never from arguments',
    )
    .argument('<name>', 'secret name (letters, digits, _)')
    // Declared so a value given as an argument is refused with a reason, not a generic usage error.
    .argument('[value...]')
    .action(async (name: string, value: string[]) => {
      if (value.length > 0) {
        cli.usageError(
          'secret values are never taken from the command line (shell history and process listings would keep them); ' +
            `pipe the value in (printf %s "$VALUE" | agentd secrets set ${name}) or run it in a terminal to be prompted`,
        );
      }
      const secret = await readSecretInput(cli.io, `value of ${name} (not shown): `);
      const { replaced } = await withVault(cli, (vault) => vault.vault.set(name, secret));
      cli.io.stderr.write(`secret ${name} ${replaced ? 'replaced' : 'stored'}\n`);
    });

  secrets
    .command('list')
    .description('List secret names and dates (never values)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const listed = await withVault(cli, (vault) => vault.vault.list());
      if (options.json) {
        const rows = listed.map((s) => ({
          name: s.name,
          createdAt: new Date(s.createdAt).toISOString(),
          updatedAt: new Date(s.updatedAt).toISOString(),
        }));
        cli.io.stdout.write(`${JSON.stringify({ secrets: rows }, null, 2)}\n`);
        return;
      }
      if (listed.length === 0) {
        cli.io.stderr.write('no secrets\n');
        return;
      }
      cli.io.stdout.write(
        table(
          ['NAME', 'CREATED', 'UPDATED'],
          listed.map((s) => [
            s.name,
            new Date(s.createdAt).toISOString(),
            new Date(s.updatedAt).toISOString(),
          ]),
        ),
      );
    });

  secrets
    .command('rm')
    .description('Delete a secret')
    .argument('<name>', 'secret name')
    .action(async (name: string) => {
      const removed = await withVault(cli, (vault) => vault.vault.remove(name));
      if (!removed) {
        cli.io.stderr.write(`agentd: no secret named ${name}\n`);
        cli.exitCode = 1;
        return;
      }
      cli.io.stderr.write(`secret ${name} removed\n`);
    });

  secrets
    .command('rotate-key')
    .description(
      'Re-encrypt every secret under a new master key, atomically. With a key file, a new one is generated; ' +
        'with AGENTD_MASTER_KEY, pipe the new key in and set the variable to it afterwards',
    )
    .action(async () => {
      const piped = cli.io.stdin !== undefined && !cli.io.stdin.isTTY;
      const text = piped ? await readSecretInput(cli.io, '') : '';
      const newKey = text.trim() === '' ? undefined : parseMasterKey(text, 'the new key on stdin');
      const result = await withVault(cli, (vault) => vault.vault.rotateKey(newKey ? { newKey } : {}));
      cli.io.stderr.write(
        `re-encrypted ${result.reencrypted} secret${result.reencrypted === 1 ? '' : 's'} under the new key` +
          (result.keySource === 'env'
            ? '; now set AGENTD_MASTER_KEY to the new key (the old one no longer opens them)\n'
            : ' (key file replaced; back it up again)\n'),
      );
    });
}

async function withVault<T>(cli: CliContext, use: (vault: OpenedSecretVault) => Promise<T>): Promise<T> {
  const opened = await cli.openVault();
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}
