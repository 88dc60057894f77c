/** What a finished task leaves in episodic memory. */
export interface Episode {
  tenant: string;
  taskId: string;
  prompt: string;
  team: string;
  topology: string;
  models: string[];
  outcome: 'succeeded' | 'failed';
  /** The error code of a failed task. */
  error?: string | undefined;
  /** The start of the output (a succeeded task). */
  output?: string | undefined;
  /** How the output was judged, in words (a succeeded task). */
  verdict?: string | undefined;
  costUsd: number;
  durationMs: number;
  /** The output came from the simulated model: the episode is tagged `dry-run`. */
  dryRun?: boolean | undefined;
  /** More tags (e.g. `local-only`). */
  tags?: readonly string[] | undefined;
}

/**
 * An episode in words, and its source (what it is about: its task and how it ended), from texts
 * already under the PII policy: masked before they are cut short, so no value is stored half-masked.
 */
export function episodeText(
  episode: Episode,
  texts: { prompt: string; output: string | null; error: string | null },
): { content: string; source: string } {
  const { prompt, output, error } = texts;
  const content =
    `Task "${oneLine(prompt, 200)}" (team ${episode.team}, ${episode.topology}, models ${episode.models.join(', ') || 'none'}) ` +
    (episode.dryRun ? 'dry run on the simulated model, ' : '') +
    (episode.outcome === 'succeeded'
      ? `succeeded${episode.verdict ? `, ${episode.verdict}` : ''}${output ? `: ${oneLine(output, 300)}` : ''}`
      : `failed (${error ?? 'unknown error'})`) +
    ` — $${dollars(episode.costUsd)}, ${(episode.durationMs / 1000).toFixed(1)} s.`;
  const source = [prompt.slice(0, 2000), (output ?? error ?? '').slice(0, 2000)].join('\n').trim();
  return { content, source };
}

/** A cost in dollars, readable at any size: 2.50, 0.013, 0.000013. */
function dollars(usd: number): string {
  return usd >= 1 ? usd.toFixed(2) : String(Number(usd.toPrecision(2)));
}

/** A text on one line, at most `max` characters (cut with an ellipsis). */
export function oneLine(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
