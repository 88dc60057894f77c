import { RE2JS } from 're2js';
import { AgentdError } from '../core/errors.js';
import './security-error-codes.js';

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
 * The largest compiled program accepted. RE2's NFA is linear in the input but also in the program:
 * `(?s)(.+){1000}` compiles to ~4,000 instructions and scanned 200k characters for 12 s. Real
 * checks (an e-mail, a date, `[a-z]{1,64}`) stay in the tens to low hundreds.
 */
export const MAX_PROGRAM_SIZE = 2_000;

/**
 * The most work one match may do, in program instructions × characters scanned: about 15–20 ns each
 * on the NFA (measured with re2js 2.10, 2 cores, 2026-12-06), so at most ~0.2 s of the event loop.
 * A 20-instruction pattern may scan 500k characters; a 2,000-instruction one 5k.
 */
export const MAX_SCAN_COST = 10_000_000;

/**
 * How many times the engine may read each character of the text, over all the searches of one
 * call: ordinary patterns read each 1–5 times (an e-mail pattern about 3), while `a.*b|a` over n
 * characters reads n²/2.
 */
export const MAX_READS_PER_CHARACTER = 8;

/** The text as the engine sees it, failing with `regex.too_costly` once it has been read too often. */
class ReadCountingText extends String {
  private reads = 0;
  constructor(
    text: string,
    private readonly maxReads: number,
  ) {
    super(text);
  }
  override charCodeAt(index: number): number {
    this.reads += 1;
    if (this.reads > this.maxReads) {
      throw new AgentdError({
        code: 'regex.too_costly',
        message: `the pattern searched the text of ${this.length} characters over and over (more than ${MAX_READS_PER_CHARACTER} reads per character); simplify it, e.g. without an alternative that can run to the end of the text`,
        details: { textLength: this.length },
      });
    }
    return super.charCodeAt(index);
  }
}

/**
 * Compiles a pattern from a request, a rubric or a config (hostile until proven otherwise) with
 * RE2's syntax and guarantees, through `re2js` (a pure-JavaScript port of RE2): matching is linear
 * in the input, so no pattern can freeze the process the way `(a|a)*Q` freezes a backtracking
 * engine. What RE2 cannot do in linear time (backreferences, lookaround) is refused with a clear
 * message, as are the flags `y` and `v`, and so is a pattern whose program exceeds
 * {@link MAX_PROGRAM_SIZE}. Throws a plain Error whose message says what is wrong. Matching throws
 * `regex.too_costly` when the text is too long for the pattern's size (see {@link MAX_SCAN_COST}):
 * linear time is still time, and a request supplies both the pattern and (through the model) the text.
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
  const size = re.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    throw new Error(
      `the pattern is too large: it compiles to ${size} instructions, the limit is ${MAX_PROGRAM_SIZE} (large counted repetitions such as {1000} multiply its size)`,
    );
  }
  const all = (text: string, limit: number): LinearMatch[] => {
    if (size * text.length > MAX_SCAN_COST) {
      throw new AgentdError({
        code: 'regex.too_costly',
        message: `the pattern (${size} instructions) may scan at most ${Math.floor(MAX_SCAN_COST / size)} characters; the text has ${text.length}`,
        details: { programSize: size, textLength: text.length },
      });
    }
    const found: LinearMatch[] = [];
    // One search is linear, but each search for the next match starts over, and a pattern such as
    // `a.*b|a` makes every one of them read to the end of the text: quadratic in all. The engine
    // reads the text only through charCodeAt, so counting those reads bounds the real work.
    const counted = new ReadCountingText(text, MAX_READS_PER_CHARACTER * text.length + 64);
    const matcher = re.matcher(counted as unknown as string);
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
