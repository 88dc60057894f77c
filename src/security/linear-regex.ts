import { RE2JS } from 're2js';

/** A match: where it is (`end` exclusive, UTF-16 offsets like `String#slice`) and its text. */
export interface LinearMatch {
  start: number;
  end: number;
  text: string;
}

/** A regular expression that runs in time linear in its input, whatever the pattern. */
export interface LinearRegex {
  /** The first match, or null. */
  first(text: string): LinearMatch | null;
  /** Every match, left to right, not overlapping. */
  all(text: string): LinearMatch[];
}

// JavaScript flags and what they mean here: i, m and s map to RE2's; u is how RE2 reads patterns
// anyway; g and d change nothing for first/all.
const FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  u: 0,
  g: 0,
  d: 0,
};

/**
 * Compiles a pattern from a request, a rubric or a config (hostile until proven otherwise) with
 * RE2's syntax and guarantees, through `re2js` (a pure-JavaScript port of RE2): matching is linear
 * in the input, so no pattern can freeze the process the way `(a|a)*Q` freezes a backtracking
 * engine. What RE2 cannot do in linear time (backreferences, lookaround) is refused with a clear
 * message, as are the flags `y` and `v`. Throws a plain Error whose message says what is wrong.
 */
export function compileLinearRegex(pattern: string, flags = ''): LinearRegex {
  let mask = 0;
  for (const flag of flags) {
    const bit = FLAGS[flag];
    if (bit === undefined) throw new Error(`flag '${flag}' is not supported (use d, g, i, m, s or u)`);
    mask |= bit;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, mask);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${reason} (patterns run on a linear-time engine, RE2 syntax: no backreferences or lookaround)`,
    );
  }
  const all = (text: string, limit: number): LinearMatch[] => {
    const found: LinearMatch[] = [];
    const matcher = re.matcher(text);
    while (found.length < limit && matcher.find()) {
      const start = matcher.start();
      const end = matcher.end();
      found.push({ start, end, text: text.slice(start, end) });
    }
    return found;
  };
  return {
    first: (text) => all(text, 1)[0] ?? null,
    all: (text) => all(text, Number.POSITIVE_INFINITY),
  };
}
