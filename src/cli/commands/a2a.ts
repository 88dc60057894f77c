import type { Command } from 'commander';
import { z } from 'zod';
import { AgentCard } from '@a2a-js/sdk';
import { A2aRemoteSchema, fetchA2aCard } from '../../agents/index.js';
import { createNetGuard, NetConfigSchema } from '../../security/index.js';
import type { CliContext } from '../cli-context.js';

// The part of the masked config the fetch reads; runtime.settings.config is typed as an open record.
const NetSectionSchema = z.object({
  security: z.object({ net: NetConfigSchema.prefault({}) }).prefault({}),
});

// C0 and C1 control characters (ESC starts terminal sequences that rewrite the screen or the title).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

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
      const checked = A2aRemoteSchema.shape.url.safeParse(url);
      if (!checked.success) cli.usageError(`'${url}' is not an http(s) URL`);
      // A client of a remote agent, not an operation on agentd's state: no HTTP route exposes it,
      // and the request goes through the same guard and security.net allowlist as remote agents.
      const runtime = await cli.openRuntime();
      const { net } = NetSectionSchema.parse(runtime.settings.config).security;
      const card = AgentCard.toJSON(await fetchA2aCard(url, createNetGuard({ config: net }))) as Record<
        string,
        unknown
      >;
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
      // The card is the remote's text: its control characters (terminal escapes) are not printed.
      cli.io.stdout.write(lines.map((line) => line.replace(CONTROL_CHARACTERS, '')).join('\n') + '\n');
    });
}
