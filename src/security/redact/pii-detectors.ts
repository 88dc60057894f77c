// Hand-written detectors. No library does these checks well offline: the useful ones either call a cloud
// service or are a bag of loose regexes, while precision here needs the checksums (Luhn, IBAN mod-97), the
// number-plan rules (SSN ranges, NANP area codes) and the guards against dates, versions, timestamps and ids.
import { isIPv6 } from 'node:net';
import { isPossiblePhoneNumber } from 'libphonenumber-js/min';
import { spansOf, type PiiSpan } from './pii-span.js';
import { findPasswords, findPrivateKeys, findSecretKeys } from './secret-detectors.js';

export type { PiiSpan } from './pii-span.js';

/** A kind of sensitive value the detectors recognise. */
export type PiiKind =
  | 'email'
  | 'phone'
  | 'payment-card'
  | 'iban'
  | 'us-ssn'
  | 'ip-address'
  | 'secret-key'
  | 'private-key'
  | 'password';

/** Every kind, most specific first: when two kinds claim the same text at the same length, the earlier one wins. */
export const PII_KINDS: readonly PiiKind[] = [
  'private-key',
  'secret-key',
  'password',
  'iban',
  'payment-card',
  'us-ssn',
  'email',
  'ip-address',
  'phone',
];

/** One finder per kind; each returns every span of its kind, which may overlap spans of other kinds. */
export const PII_DETECTORS: Readonly<Record<PiiKind, (text: string) => PiiSpan[]>> = {
  email: findEmails,
  phone: findPhones,
  'payment-card': findPaymentCards,
  iban: findIbans,
  'us-ssn': findUsSsns,
  'ip-address': findIpAddresses,
  'secret-key': findSecretKeys,
  'private-key': findPrivateKeys,
  password: findPasswords,
};

// The number patterns end without a lookahead on purpose: they match greedily and the finder rejects a match
// glued to what follows, where a lookahead would let the engine backtrack to a fragment (`415-555-013` of a longer id).

// The local part is kept to the characters people actually use (an apostrophe only inside it, as in
// `o'connor`); quotes and slashes would swallow prose around it.
const EMAIL =
  /(?<![\w.%+'-])[\w%+-]+(?:['.][\w%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w-])/g;

/** The scheme and user-info of a URL, up to where a user name would start (`postgres://`, `https://user:`). */
const URL_AUTHORITY_BEFORE = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/@]*$/;

function findEmails(text: string): PiiSpan[] {
  if (!text.includes('@')) return [];
  return spansOf(EMAIL, text).filter(
    ({ start, end }) =>
      // `scheme://user@host` and `scheme://user:password@host` are a URL's user info, not an address;
      // `git@github.com:org/repo` is an SSH remote. A look back at most 80 characters keeps this linear.
      !URL_AUTHORITY_BEFORE.test(text.slice(Math.max(0, start - 80), start)) &&
      !(text[end] === ':' && /[\w~]/.test(text[end + 1] ?? '')),
  );
}

/** `+` then digits, with free-form separators and one parenthesised group: `+1 (415) 555-0132`, `+44 20 7946 0958`. */
const PHONE_INTERNATIONAL = /(?<![\w+])\+\d+(?:[ .-]?\(\d+\)[ .-]?\d+)?(?:[ .-]\d+)*/g;

/**
 * North American numbers with separators: `415-555-0132`, `(415) 555 0132`, `1-800-555-0199`. Area code and
 * exchange cannot start with 0 or 1 in the numbering plan, which rules out many ordinary 3-3-4 number groups.
 */
const PHONE_NORTH_AMERICAN =
  /(?<![\w+.-]|\d[ .-])(?:1[ .-])?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}/g;

/**
 * National numbers with a trunk 0 and one separator used throughout: `020 7946 0958`, `01 23 45 67 89`,
 * `(030) 1234 5678`. Insisting on the same separator keeps dates and times such as `01.02.2026 10:30` out.
 */
const PHONE_TRUNK_PREFIXED =
  /(?<![\w+.-]|\d[ .-])(?:0[1-9]\d{0,3}|\(0[1-9]\d{0,3}\))([ .-])\d{2,8}(?:\1\d{2,8}){0,4}/g;

/** `00` then a country code: the international call prefix written instead of `+` (`0044 20 7946 0958`). */
const PHONE_DOUBLE_ZERO = /(?<![\w+.-]|\d[ .-])00[1-9]\d{0,2}(?:[ .-]\d+)+/g;

const PHONE_PATTERNS = [PHONE_INTERNATIONAL, PHONE_NORTH_AMERICAN, PHONE_TRUNK_PREFIXED, PHONE_DOUBLE_ZERO];

/** Words that make the number after them a product or document code rather than a phone number. */
const CODE_CONTEXT =
  /\b(?:sku|part(?: no\.?| number)?|item|product(?: code)?|model|serial|ref(?:erence)?|order|invoice|catalog)[ #:.]*$/i;

function findPhones(text: string): PiiSpan[] {
  if (!hasDigit(text)) return [];
  const spans: PiiSpan[] = [];
  for (const pattern of PHONE_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const span = { start: match.index, end: match.index + match[0].length };
      if (continuesNumber(text, span.end) || continuesCode(text, span.end)) continue;
      if (CODE_CONTEXT.test(text.slice(Math.max(0, span.start - 24), span.start))) continue;
      if (isPlausiblePhone(match[0], pattern)) spans.push(span);
    }
  }
  return spans;
}

function isPlausiblePhone(value: string, pattern: RegExp): boolean {
  const digits = value.replace(/\D/g, '').length;
  if (digits < 9 || digits > 15) return false;
  // That shape is a US SSN, which has its own kind.
  if (/^\d{3}-\d{2}-\d{4}$/.test(value)) return false;
  // `+1234567.89` is a signed decimal; dotted phone numbers have at least three groups.
  if (value.includes('.') && value.split(/[ .()-]+/).filter(Boolean).length < 3) return false;
  // With a country code, the numbering plan of that country says which lengths are possible: libphonenumber
  // knows every plan, where a regex would accept any 9–15 digits after a `+`.
  if (pattern === PHONE_INTERNATIONAL) return isPossiblePhoneNumber(value);
  if (pattern === PHONE_DOUBLE_ZERO) return isPossiblePhoneNumber(`+${value.slice(2)}`);
  return true;
}

/** A number glued by a dash to letters (`312-887-2041-XL`) is a code. */
function continuesCode(text: string, end: number): boolean {
  return text[end] === '-' && /[A-Za-z]/.test(text[end + 1] ?? '');
}

/** A run of digit groups joined by single spaces or dashes; card numbers are looked for inside it. */
const DIGIT_RUN = /(?<![\w.])\d+(?:[ -]\d+)*/g;

function findPaymentCards(text: string): PiiSpan[] {
  if (!hasDigit(text)) return [];
  const spans: PiiSpan[] = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    if (match[0].length < 13 || continuesNumber(text, match.index + match[0].length)) continue;
    spans.push(...cardsInRun(match[0], match.index));
  }
  return spans;
}

/** One group of digits inside a run, with the separator before it ('' for the first). */
interface DigitGroup {
  start: number;
  end: number;
  separator: string;
}

/**
 * The card numbers inside one run of digit groups, longest first from the left. A run can hold two cards side by
 * side, or a card next to a quantity, so windows of groups are tried rather than the run as a whole.
 */
function cardsInRun(run: string, offset: number): PiiSpan[] {
  const groups: DigitGroup[] = Array.from(run.matchAll(/\d+/g), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
    separator: run[match.index - 1] ?? '',
  }));
  const spans: PiiSpan[] = [];
  let taken = -1;
  for (const [first, head] of groups.entries()) {
    if (head.start < taken) continue;
    const end = longestCardEnd(run, groups, first);
    if (end === undefined) continue;
    spans.push({ start: offset + head.start, end: offset + end });
    taken = end;
  }
  return spans;
}

/** Where the longest card number starting at group `first` ends, if there is one. */
function longestCardEnd(run: string, groups: readonly DigitGroup[], first: number): number | undefined {
  const head = groups[first];
  const second = groups[first + 1];
  if (head === undefined) return undefined;
  let end: number | undefined;
  let digits = 0;
  for (let index = first; index < groups.length; index += 1) {
    const group = groups[index];
    if (group === undefined) break;
    const length = group.end - group.start;
    digits += length;
    if (digits > 19) break;
    // Printed card numbers have a 4-digit first group, then groups of 3–6 (4-4-4-4, Amex 4-6-5, 4-4-4-4-3),
    // all with the same separator; anything else is some other list of numbers.
    const grouped =
      head.end - head.start === 4 && length >= 3 && length <= 6 && group.separator === second?.separator;
    if (index > first && !grouped) break;
    if (digits >= 13 && isCardNumber(run.slice(head.start, group.end))) end = group.end;
  }
  return end;
}

/** Issuer prefixes 2–6 (Mastercard, Amex, Visa, Discover, UnionPay, …) and a valid Luhn check digit. */
function isCardNumber(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  // Ids and millisecond timestamps mostly start with 1; no card network issues numbers starting 0, 1, 7, 8 or 9.
  if (!/^[2-6]/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Compact (`DE89370400440532013000`) or printed in groups of four (`DE89 3704 0044 0532 0130 00`); at most 34
 * characters, so at most seven groups after the first and a short last one.
 */
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){1,7}(?: [A-Z0-9]{1,3})?)/g;

function findIbans(text: string): PiiSpan[] {
  if (!hasDigit(text)) return [];
  const spans: PiiSpan[] = [];
  for (const match of text.matchAll(IBAN)) {
    // A grouped IBAN may be followed by words that look like one more group (`… 7034 EUR`): try shorter prefixes.
    const groups = match[0].split(' ');
    for (let count = groups.length; count >= 1; count -= 1) {
      const candidate = groups.slice(0, count).join(' ');
      const end = match.index + candidate.length;
      if (isAlphanumeric(text[end]) || !isValidIban(candidate.replaceAll(' ', ''))) continue;
      spans.push({ start: match.index, end });
      break;
    }
  }
  return spans;
}

/** Length 15–34 (Norway to Saint Lucia) and the ISO 13616 mod-97 check. */
function isValidIban(compact: string): boolean {
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    // Letters count as two digits (A = 10 … Z = 35); the remainder is carried so no big integers are needed.
    remainder = code >= 65 ? (remainder * 100 + code - 55) % 97 : (remainder * 10 + code - 48) % 97;
  }
  return remainder === 1;
}

/** `AAA-GG-SSSS` without the ranges never issued: area 000, 666, 9xx; group 00; serial 0000. */
const US_SSN = /(?<![\w.-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}/g;

function findUsSsns(text: string): PiiSpan[] {
  if (!hasDigit(text)) return [];
  return spansOf(US_SSN, text).filter((span) => !continuesNumber(text, span.end));
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Four octets, not part of a longer dotted number (a version like `1.2.3.4.5`) nor glued to a word (`v1.2.3.4`). */
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d)`, 'g');

/** Anything that could be an IPv6 address; `net.isIPv6` then decides, which covers every `::` form. */
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*/g;

/** Words after which four dotted numbers are a version or a section, not an address. */
const VERSION_CONTEXT = /\b(?:version|ver\.?|v|firmware|build|release|section|chapter|rev(?:ision)?)[ .:]*$/i;

function findIpAddresses(text: string): PiiSpan[] {
  if (!hasDigit(text)) return [];
  const spans = spansOf(IPV4, text).filter(
    ({ start }) => !VERSION_CONTEXT.test(text.slice(Math.max(0, start - 16), start)),
  );
  if (!text.includes(':')) return spans;
  for (const match of text.matchAll(IPV6_CANDIDATE)) {
    // A sentence may end right after the address.
    const value = match[0].replace(/\.+$/, '');
    const end = match.index + value.length;
    // Glued to a word it is code (`f64::MAX`); without a digit it is `Bad::add` or a bare `::`, not an address.
    if (isWordCharacter(text[end]) || !/\d/.test(value) || !isIPv6(value)) continue;
    spans.push({ start: match.index, end });
  }
  return spans;
}

/** True when the number ending at `end` goes on: into a word, or into more digits after a dot or dash. */
function continuesNumber(text: string, end: number): boolean {
  const next = text[end];
  return isWordCharacter(next) || ((next === '.' || next === '-') && isDigit(text[end + 1]));
}

/** Every number-shaped kind needs a digit: most texts (names, ids, prose) are skipped with one scan. */
function hasDigit(text: string): boolean {
  return /\d/.test(text);
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && /\w/.test(character);
}

function isAlphanumeric(character: string | undefined): boolean {
  return character !== undefined && /[A-Za-z0-9]/.test(character);
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= '0' && character <= '9';
}
