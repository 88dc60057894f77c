// LoCoMo's evidence lists, read as the dia_ids of the conversation's turns (see memory-locomo.ts).

/**
 * The dia_ids of a question's evidence. A few entries in the data are not one plain id
 * ("D8:6; D9:17", "D:11:26", "D", or a turn that does not exist); they are split, repaired or
 * dropped, and each case is noted so the report shows what was changed.
 */
export function cleanEvidence(raw: readonly string[], known: ReadonlySet<string>, notes: string[]): string[] {
  const out = new Set<string>();
  for (const entry of raw) {
    for (const piece of entry.split(/[;,\s]+/).filter((p) => p !== '')) {
      const match = /^D:?(\d+):(\d+)$/.exec(piece);
      // Numbers are read as numbers: the data writes one id with a leading zero ('D30:05').
      const id = match ? `D${Number(match[1])}:${Number(match[2])}` : undefined;
      if (id === undefined) notes.push(`'${entry}': '${piece}' is not a dia_id, dropped`);
      else if (!known.has(id)) notes.push(`'${entry}': no turn ${id}, dropped`);
      else {
        if (id !== entry) notes.push(`'${entry}' read as ${id}`);
        out.add(id);
      }
    }
  }
  return [...out];
}
