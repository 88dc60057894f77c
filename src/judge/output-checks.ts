import { AgentdError } from '../core/errors.js';
import type { CheckSpec } from './check-spec.js';
import { compileLinearRegex } from '../security/index.js';
import { compileJsonSchema, parseJsonOutput } from './json-schema.js';

/** The checks that look at the output text alone: free, synchronous, and run first. */
export type OutputCheckSpec = Extract<
  CheckSpec,
  { type: 'json-schema' | 'regex' | 'contains' | 'excludes' | 'length' }
>;

/** A check's finding before it is named and timed. */
export interface CheckFinding {
  pass: boolean;
  reason: string;
}

// Reasons quote the output or the text looked for; long ones are cut so a verdict stays readable.
const QUOTE_LIMIT = 80;
const quote = (text: string): string =>
  JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);

/**
 * Whether `output` passes a text-only check, and why. An output too long for a pattern's size to scan
 * safely (`regex.too_costly`) fails the check with that reason rather than stalling the server.
 */
export function checkOutput(spec: OutputCheckSpec, output: string): CheckFinding {
  try {
    return runCheck(spec, output);
  } catch (error) {
    if (error instanceof AgentdError && error.code === 'regex.too_costly') {
      return { pass: false, reason: `the output could not be checked: ${error.message}` };
    }
    throw error;
  }
}

function runCheck(spec: OutputCheckSpec, output: string): CheckFinding {
  switch (spec.type) {
    case 'json-schema':
      return checkJsonSchema(spec.schema, output);
    case 'regex':
      return checkRegex(spec.pattern, spec.flags, spec.match, output);
    case 'contains':
    case 'excludes':
      return checkContains(spec.type, spec.text, spec.caseSensitive, output);
    case 'length':
      return checkLength(spec, output);
  }
}

function checkJsonSchema(schema: Record<string, unknown>, output: string): CheckFinding {
  const parsed = parseJsonOutput(output);
  if (!parsed.ok) return { pass: false, reason: parsed.error };
  const problems = compileJsonSchema(schema).problems(parsed.value);
  if (problems.length === 0) return { pass: true, reason: 'the output is JSON valid against the schema' };
  // The first few problems are enough to act on; a wrong root type can produce dozens.
  const shown = problems.slice(0, 5).join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return { pass: false, reason: `the JSON does not match the schema: ${shown}${more}` };
}

function checkRegex(
  pattern: string,
  flags: string | undefined,
  match: boolean,
  output: string,
): CheckFinding {
  // Linear in the output whatever the pattern (see RegexCheckSchema).
  const found = compileLinearRegex(pattern, flags).first(output);
  const shown = `/${pattern}/${flags ?? ''}`;
  if (match) {
    return found === null
      ? { pass: false, reason: `the output does not match ${shown}` }
      : { pass: true, reason: `the output matches ${shown} (${quote(found.text)})` };
  }
  return found === null
    ? { pass: true, reason: `the output does not match ${shown}` }
    : { pass: false, reason: `the output must not match ${shown} but contains ${quote(found.text)}` };
}

function checkContains(
  type: 'contains' | 'excludes',
  text: string,
  caseSensitive: boolean,
  output: string,
): CheckFinding {
  const haystack = caseSensitive ? output : output.toLowerCase();
  const index = haystack.indexOf(caseSensitive ? text : text.toLowerCase());
  const how = caseSensitive ? '' : ' (ignoring case)';
  if (type === 'contains') {
    return index >= 0
      ? { pass: true, reason: `the output contains ${quote(text)}${how}` }
      : { pass: false, reason: `the output must contain ${quote(text)}${how}` };
  }
  return index < 0
    ? { pass: true, reason: `the output does not contain ${quote(text)}${how}` }
    : {
        pass: false,
        reason: `the output must not contain ${quote(text)}${how}, found at character ${index}`,
      };
}

function checkLength(spec: Extract<CheckSpec, { type: 'length' }>, output: string): CheckFinding {
  // Trimmed, so a trailing newline from the model does not count; code points, so an emoji is one character.
  const trimmed = output.trim();
  const size = spec.unit === 'words' ? (trimmed.match(/\S+/g) ?? []).length : [...trimmed].length;
  const unit = spec.unit === 'words' ? 'words' : 'characters';
  if (spec.min !== undefined && size < spec.min) {
    return { pass: false, reason: `the output has ${size} ${unit}, fewer than the minimum ${spec.min}` };
  }
  if (spec.max !== undefined && size > spec.max) {
    return { pass: false, reason: `the output has ${size} ${unit}, more than the maximum ${spec.max}` };
  }
  const bounds = `${spec.min ?? 0}–${spec.max ?? '∞'}`;
  return { pass: true, reason: `the output has ${size} ${unit}, within ${bounds}` };
}
