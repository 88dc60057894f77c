import type { Command } from 'commander';
import { fetchAgentCard } from '../../operations/index.js';
import type { CliContext } from '../cli-context.js';

interface CardSummary {
  name?: string;
  description?: string;
  version?: string;
  supportedInterfaces?: { url?: string; protocolBinding?: string; protocolVersion?: string }[];
  skills?: { id?: string; name?: string }[];
  securitySchemes?: Record<string, unknown>;
  capabilities?: { streaming?: boolean };
}

/** `agentd a2a card URL [--json]`: a remote A2A agent's card, fetched through the SSRF guard. */
export function registerA2a(program: Command, cli: CliContext): void {
  program
    .command('a2a')
    .description('A2A 1.0: remote agents (see docs/a2a.md)')
    .command('card')
    .argument('<url>', 'base URL of the remote agent (its card is at /.well-known/agent-card.json)')
    .description("Print a remote A2A agent's Agent Card (requests go through security.net)")
    .option('--json', 'print the whole card as JSON')
    .action(async (url: string, options: { json?: boolean }) => {
      const card = await cli.invoke(fetchAgentCard, { url });
      if (options.json) {
        cli.io.stdout.write(JSON.stringify(card, null, 2) + '\n');
        return;
      }
      const c = card as CardSummary;
      const lines = [
        `${c.name ?? '(no name)'} ${c.version ?? ''}`.trimEnd(),
        ...(c.description ? [c.description] : []),
        ...(c.supportedInterfaces ?? []).map(
          (i) => `interface: ${i.protocolBinding ?? '?'} ${i.protocolVersion ?? '?'} ${i.url ?? '?'}`,
        ),
        `streaming: ${c.capabilities?.streaming === true ? 'yes' : 'no'}`,
        `security: ${Object.keys(c.securitySchemes ?? {}).join(', ') || 'none'}`,
        ...(c.skills ?? []).map((s) => `skill: ${s.id ?? '?'}${s.name ? ` (${s.name})` : ''}`),
      ];
      cli.io.stdout.write(lines.join('\n') + '\n');
    });
}
