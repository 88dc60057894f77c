// A careful minimal HTML-to-text stripper, hand-written: a single forward scan with indexOf (linear
// in the input, no backtracking regex a hostile page could exploit), enough for a model to read a
// page. It is not an HTML parser: it drops markup, comments and the contents of script-like
// elements, turns block elements into line breaks and decodes character references.

/** Elements whose content is never text for a reader. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'head',
]);
/** Elements that start a new line. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'th',
  'thead',
  'tr',
  'ul',
  'title',
  'option',
]);
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  deg: '°',
  times: '×',
  divide: '÷',
  sect: '§',
  para: '¶',
  shy: '',
  ...latinLetters(),
};

/** `&eacute;`, `&Uuml;`, `&ccedil;`…: the accented Latin-1 letters, named by letter and accent. */
function latinLetters(): Record<string, string> {
  const accents: Record<string, [string, string]> = {
    acute: ['aeiouyAEIOUY', 'áéíóúýÁÉÍÓÚÝ'],
    grave: ['aeiouAEIOU', 'àèìòùÀÈÌÒÙ'],
    circ: ['aeiouAEIOU', 'âêîôûÂÊÎÔÛ'],
    uml: ['aeiouyAEIOU', 'äëïöüÿÄËÏÖÜ'],
    tilde: ['anoANO', 'ãñõÃÑÕ'],
    cedil: ['cC', 'çÇ'],
  };
  const names: Record<string, string> = {
    szlig: 'ß',
    aring: 'å',
    Aring: 'Å',
    aelig: 'æ',
    AElig: 'Æ',
    oslash: 'ø',
    Oslash: 'Ø',
  };
  for (const [accent, [letters, accented]] of Object.entries(accents)) {
    [...letters].forEach((letter, i) => (names[`${letter}${accent}`] = [...accented][i] ?? letter));
  }
  return names;
}

/** The readable text of an HTML document and its title. */
export function htmlToText(html: string): { title: string | undefined; text: string } {
  const lower = html.toLowerCase();
  const titleAt = lower.indexOf('<title');
  let title: string | undefined;
  if (titleAt !== -1) {
    const start = tagEnd(html, titleAt + 1);
    const close = lower.indexOf('</title', start);
    title = collapse(decodeEntities(html.slice(start, close === -1 ? html.length : close))) || undefined;
  }
  const out: string[] = [];
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open === -1) {
      out.push(decodeEntities(html.slice(at)));
      break;
    }
    out.push(decodeEntities(html.slice(at, open)));
    if (lower.startsWith('<!--', open)) {
      const close = html.indexOf('-->', open + 4);
      at = close === -1 ? html.length : close + 3;
      continue;
    }
    const end = tagEnd(html, open + 1);
    const tag = tagName(lower, open + 1, end);
    at = end;
    if (tag === undefined) {
      // A '<' that starts no tag ("a < b") is text.
      if (!/[a-z/!?]/.test(lower[open + 1] ?? '')) {
        out.push('<');
        at = open + 1;
      }
      continue;
    }
    if (SKIPPED.has(tag.name) && !tag.closing && !tag.selfClosing) {
      const close = lower.indexOf(`</${tag.name}`, end);
      at = close === -1 ? html.length : tagEnd(html, close + 1);
      continue;
    }
    if (tag.name === 'li') out.push(tag.closing ? '' : '\n- ');
    else if (BLOCKS.has(tag.name)) out.push('\n');
    else if (tag.name === 'td' || tag.name === 'th') out.push(' ');
  }
  return { title, text: tidy(out.join('')) };
}

/** The index just after the `>` closing a tag that starts at `from`, skipping quoted attribute values. */
function tagEnd(html: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < html.length; i += 1) {
    const c = html[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i + 1;
    }
  }
  return html.length;
}

function tagName(
  lower: string,
  from: number,
  end: number,
): { name: string; closing: boolean; selfClosing: boolean } | undefined {
  let i = from;
  const closing = lower[i] === '/';
  if (closing) i += 1;
  const start = i;
  while (i < lower.length && /[a-z0-9-]/.test(lower[i] ?? '')) i += 1;
  if (i === start || !/[a-z]/.test(lower[start] ?? '')) {
    return lower[from] === '!' || lower[from] === '?'
      ? { name: '!', closing: false, selfClosing: true }
      : undefined;
  }
  return { name: lower.slice(start, i), closing, selfClosing: lower[end - 2] === '/' };
}

/** Decodes named (a common set) and numeric character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return valid ? String.fromCodePoint(code) : '\uFFFD';
    }
    return NAMED[body] ?? whole;
  });
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Spaces collapsed within lines, lines trimmed, at most one blank line in a row. */
function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\r\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
