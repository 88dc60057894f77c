import type { Command } from 'commander';
import { checkUrl } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';

/** `agentd net check URL [--resolve HOST=IP]…`: whether the outbound-request guard lets a URL through. */
export function registerNet(program: Command, cli: CliContext): void {
  program
    .command('net')
    .description('Outbound requests: check URLs against the SSRF guard and security.net')
    .command('check')
    .argument('<url>', 'the URL to check')
    .description('Print "allowed" (exit 0) or "blocked: <reason>" (exit 1); nothing is fetched')
    .option(
      '--resolve <host=ip>',
      'answer HOST with IP instead of DNS (repeatable, like curl --resolve)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--json', 'print JSON')
    .action(async (url: string, options: { resolve: string[]; json?: boolean }) => {
      const resolve: Record<string, string[]> = {};
      for (const entry of options.resolve) {
        const at = entry.lastIndexOf('=');
        const host = entry.slice(0, at).trim().toLowerCase();
        const address = entry
          .slice(at + 1)
          .trim()
          .replace(/^\[(.*)\]$/, '$1');
        if (at <= 0 || address === '') cli.usageError(`--resolve '${entry}': expected HOST=IP`);
        (resolve[host] ??= []).push(address);
      }
      const result = await cli.invoke(checkUrl, { url, resolve });
      if (!result.allowed) cli.exitCode = 1;
      if (options.json) {
        cli.io.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      cli.io.stdout.write(result.allowed ? 'allowed\n' : `blocked: ${result.reason}\n`);
    });
}
