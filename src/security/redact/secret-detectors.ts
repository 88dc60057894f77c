// Credentials: provider tokens recognised by their documented prefixes, values of keys whose name says
// they are secret, private-key blocks, and passwords inside connection strings. Every pattern is linear:
// no nested quantifier can match the same text two ways, and each alternation starts with a literal.
import type { PiiSpan } from './pii-span.js';

/**
 * Provider tokens by their documented prefixes. OpenAI `sk-`/`sk-proj-` and Anthropic `sk-ant-` share one
 * pattern; AWS access key ids (`AKIA`, temporary `ASIA`); GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`,
 * `github_pat_`); GitLab `glpat-`; Slack tokens and incoming-webhook URLs; Stripe secret, restricted and
 * webhook keys (live and test); Google API keys (`AIza`) and OAuth access tokens (`ya29.`); npm, Hugging
 * Face, SendGrid, Twilio API key SIDs and DigitalOcean tokens; JWTs (a base64url `{"` header is `eyJ`).
 */
const TOKEN_PATTERNS = [
  /(?<![\w-])sk-[\w-]{20,}/g,
  /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g,
  /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})/g,
  /(?<![\w-])glpat-[\w-]{20,}/g,
  /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}/g,
  /(?<![\w-])xapp-\d-[A-Za-z0-9-]{10,}/g,
  /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/g,
  /(?<!\w)[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g,
  /(?<!\w)whsec_[A-Za-z0-9+/=]{24,}/g,
  /(?<![\w-])AIza[\w-]{35}(?![\w-])/g,
  /(?<![\w.-])ya29\.[\w-]{20,}/g,
  /(?<!\w)npm_[A-Za-z0-9]{36}(?!\w)/g,
  /(?<!\w)hf_[A-Za-z0-9]{30,}(?!\w)/g,
  /(?<![\w.])SG\.[\w-]{16,32}\.[\w-]{16,64}/g,
  /(?<!\w)SK[0-9a-f]{32}(?!\w)/g,
  /(?<!\w)do[por]_v1_[0-9a-f]{64}(?!\w)/g,
  /(?<![\w-])eyJ[\w-]{8,}\.[\w-]+\.[\w-]+/g,
];

/**
 * A value assigned to a key whose name says it is secret: `aws_secret_access_key = …`, `AZURE_OPENAI_API_KEY=…`,
 * `"client_secret": "…"`, `api-key: …`, Azure `AccountKey=`/`SharedAccessKey=` and SAS `sig=`. Only the value
 * (group 1) is the secret; it must look random, so `api_key = YOUR_KEY` and `<your-secret-key>` stay.
 */
const ASSIGNED_SECRET =
  /(?:api[_-]?key|secret[_-]?(?:access[_-]?)?key|access[_-]?token|auth[_-]?token|client[_-]?secret|account[_-]?key|shared[_-]?access[_-]?key|private[_-]?token)["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9_+/.~-]{16,}={0,2})/gi;
const SAS_SIGNATURE = /[?&]sig=([A-Za-z0-9%+/]{20,})/g;

/** `Bearer <token>`: only the token is the secret. RFC 6750 token characters, trailing `=` padding allowed. */
const BEARER_TOKEN = /(?<![\w-])[Bb]earer[ \t]+([\w.~+/-]+=*)/g;

/**
 * Something every pattern below starts with (case-insensitively, so it over-approximates): one scan
 * decides whether the twenty patterns need running at all, which most texts (span attributes, prose) do not.
 */
const SECRET_HINT =
  /sk-|akia|asia|gh[pousr]_|github_pat_|glpat-|xox|xapp-|hooks\.slack|k_live_|k_test_|whsec_|aiza|ya29\.|npm_|hf_|sg\.|sk[0-9a-f]|_v1_|eyj|api[_-]?key|secret|token|key[ \t"']*[:=]|sig=|bearer/i;

/** Finds provider tokens, secret-named values and bearer tokens. */
export function findSecretKeys(text: string): PiiSpan[] {
  if (!SECRET_HINT.test(text)) return [];
  const spans: PiiSpan[] = [];
  for (const pattern of TOKEN_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      // `sk-` alone is a common prefix in prose and slugs; real keys are random, so they mix letters and digits.
      if (match[0].startsWith('sk-') && !looksRandom(match[0].slice(3))) continue;
      spans.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  for (const pattern of [ASSIGNED_SECRET, SAS_SIGNATURE, BEARER_TOKEN]) {
    for (const match of text.matchAll(pattern)) {
      const value = match[1] ?? '';
      // A sentence may end right after the value.
      const token = pattern === BEARER_TOKEN ? value.replace(/\.+$/, '') : value;
      // `Bearer authentication`, `Bearer YOUR_TOKEN_HERE`: words and placeholders, not tokens.
      if (token.length < 16 || !looksRandom(token)) continue;
      const start = match.index + match[0].length - value.length;
      spans.push({ start, end: start + token.length });
    }
  }
  return spans;
}

/** A digit and a letter, or both letter cases: true of random tokens, rarely of words and placeholders. */
export function looksRandom(value: string): boolean {
  const hasLetter = /[A-Za-z]/.test(value);
  return (hasLetter && /\d/.test(value)) || (/[a-z]/.test(value) && /[A-Z]/.test(value));
}

/**
 * PEM and OpenSSH (`RSA`, `EC`, `OPENSSH`, `ENCRYPTED` or no label) and PGP `PRIVATE KEY BLOCK`s. A block whose
 * end is missing (cut off) still covers its header lines and base64 body, so a truncated key is not left in
 * clear. The END line is looked up with indexOf once per label (a missing one is remembered), so many BEGIN
 * lines without an END cost one scan, not one per line.
 */
const PRIVATE_KEY_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/g;
const TRUNCATED_BODY = /(?:\r?\n(?:[A-Za-z0-9+/=]+|[A-Za-z-]+: [^\r\n]*)(?![^\r\n]))*/y;

/** Finds private-key blocks. */
export function findPrivateKeys(text: string): PiiSpan[] {
  if (!text.includes('PRIVATE KEY')) return [];
  const spans: PiiSpan[] = [];
  const missingEnds = new Set<string>();
  PRIVATE_KEY_BEGIN.lastIndex = 0;
  for (let match = PRIVATE_KEY_BEGIN.exec(text); match; match = PRIVATE_KEY_BEGIN.exec(text)) {
    const bodyStart = match.index + match[0].length;
    const endLine = `-----END ${match[1] ?? ''}PRIVATE KEY${match[2] ?? ''}-----`;
    const endAt = missingEnds.has(endLine) ? -1 : text.indexOf(endLine, bodyStart);
    let end: number;
    if (endAt !== -1) end = endAt + endLine.length;
    else {
      missingEnds.add(endLine);
      TRUNCATED_BODY.lastIndex = bodyStart;
      end = bodyStart + (TRUNCATED_BODY.exec(text)?.[0].length ?? 0);
    }
    spans.push({ start: match.index, end });
    PRIVATE_KEY_BEGIN.lastIndex = end;
  }
  return spans;
}

/**
 * The password of a URL's user info (`postgres://app:PASSWORD@db/…`, any scheme incl. `mongodb+srv`, `jdbc:`
 * prefixes) and of key–value connection strings (`Password=…;`, `Pwd=…`, `&password=…`).
 */
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]*:([^\s/@]+)@/g;
const KEY_VALUE_PASSWORD = /(?<![A-Za-z])(?:password|passwd|pwd)=([^;&\s'"]+)/gi;

/** Finds passwords in connection strings. */
export function findPasswords(text: string): PiiSpan[] {
  if (!text.includes('=') && !text.includes('://')) return [];
  const spans: PiiSpan[] = [];
  for (const pattern of [URL_PASSWORD, KEY_VALUE_PASSWORD]) {
    for (const match of text.matchAll(pattern)) {
      const value = match[1] ?? '';
      if (isPlaceholder(value)) continue;
      const start = match.index + match[0].length - value.length - (pattern === URL_PASSWORD ? 1 : 0);
      spans.push({ start, end: start + value.length });
    }
  }
  return spans;
}

/** `${DB_PASSWORD}`, `<password>`, `{pw}`, `%s`, `****`, `pass`: references and examples, not passwords. */
function isPlaceholder(value: string): boolean {
  return value.length < 6 || /^(?:\$\{.*\}|\$\w+|<.*>|\{.*\}|%s|\*+|x+)$/i.test(value);
}
