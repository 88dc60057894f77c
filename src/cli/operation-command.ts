import type { Command } from 'commander';
import { z } from 'zod';
import type { Operation } from '../operations/index.js';
import type { CliContext } from './cli-context.js';
import { namedAsTyped } from './named-as-typed.js';

/** How a read-only command is derived from its operation. */
export interface OperationCommandSpec<I extends z.ZodType, O extends z.ZodType, F = Record<string, unknown>> {
  operation: Operation<I, O>;
  /** The command's name under its parent (`list`, `show`, …). */
  name: string;
  /** Help text (default: the operation's description). */
  description?: string;
  /** Input fields taken as positional arguments, in order (`{ field, name }` shows another name). */
  args?: readonly (string | { field: string; name: string })[];
  /** Flag names that differ from the field name in kebab case (`taskId: 'task'`). */
  flags?: Readonly<Record<string, string>>;
  /** Fields that are not offered as flags (the command sets them, or they make no sense here). */
  hidden?: readonly string[];
  /** Fields whose flag is a switch although the operation takes `'true'`/`'false'` (query-string booleans). */
  switches?: readonly string[];
  /** Defaults that differ from the operation's (e.g. a shorter `--limit` for a terminal). */
  defaults?: Readonly<Record<string, string>>;
  /** Flags of the command itself that feed no field directly (`--all`), added with commander. */
  extraFlags?(command: Command): void;
  /** Turns the fields read from arguments and flags into the input (for extra flags). */
  input?(fields: Record<string, unknown>, flags: F): Record<string, unknown>;
  /** What `--json` prints (default: the operation's result as it is). */
  json?(result: z.infer<O>, flags: F, cli: CliContext): unknown;
  /** Writes the human-readable result (`--json` prints the result as JSON instead). */
  print(result: z.infer<O>, flags: F, cli: CliContext): void | Promise<void>;
}

/** What the JSON Schema of an input field says about how it is given on a command line. */
interface FieldSchema {
  type?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  anyOf?: FieldSchema[];
  const?: unknown;
  items?: FieldSchema;
}

/**
 * Registers a command whose arguments, flags and help come from the operation's input schema: a
 * new field of the operation is a new flag, with its description, allowed values and default.
 * `--json` prints the operation's result as it is. Composed commands (`run`, `serve`) stay
 * hand-written.
 */
export function registerOperationCommand<I extends z.ZodType, O extends z.ZodType, F>(
  parent: Command,
  cli: CliContext,
  spec: OperationCommandSpec<I, O, F>,
): Command {
  const schema = z.toJSONSchema(spec.operation.input, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, FieldSchema>;
    required?: string[];
  };
  const properties = schema.properties ?? {};
  const args = (spec.args ?? []).map((arg) => (typeof arg === 'string' ? { field: arg, name: arg } : arg));
  const command = parent.command(spec.name).description(spec.description ?? spec.operation.description);
  for (const { field, name } of args) command.argument(`<${name}>`, properties[field]?.description ?? name);

  const flagFields: { field: string; key: string; property: FieldSchema; isSwitch: boolean }[] = [];
  for (const [field, property] of Object.entries(properties)) {
    if (args.some((arg) => arg.field === field) || spec.hidden?.includes(field)) continue;
    const name = spec.flags?.[field] ?? kebab(field);
    const isSwitch = property.type === 'boolean' || (spec.switches?.includes(field) ?? false);
    const help = helpOf(property, spec.defaults?.[field]);
    if (isSwitch) command.option(`--${name}`, help);
    else if (spec.defaults?.[field] !== undefined)
      command.option(`--${name} <${valueName(name, property)}>`, help, spec.defaults[field]);
    else command.option(`--${name} <${valueName(name, property)}>`, help);
    flagFields.push({ field, key: camel(name), property, isSwitch });
  }
  spec.extraFlags?.(command);
  command.option('--json', 'print the result as JSON');

  command.action(async (...received: unknown[]) => {
    const flags = received[args.length] as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    args.forEach(({ field }, i) => (fields[field] = received[i]));
    for (const { field, key, property, isSwitch } of flagFields) {
      const value = flags[key];
      if (value === undefined) continue;
      if (isSwitch) {
        if (value === true) fields[field] = property.type === 'boolean' ? true : 'true';
        continue;
      }
      fields[field] = fromText(String(value), property);
    }
    const input = spec.input ? spec.input(fields, flags as F) : fields;
    const names = new Map<string, string>([
      ...args.map(({ field, name }): [string, string] => [field, `<${name}>`]),
      ...flagFields.map(({ field, key }): [string, string] => [field, `--${kebab(key)}`]),
    ]);
    let result: z.infer<O>;
    try {
      result = await cli.invoke(spec.operation, input);
    } catch (error) {
      throw namedAsTyped(error, spec.operation.name, names);
    }
    if (flags['json'] === true) {
      const printed = spec.json ? await spec.json(result, flags as F, cli) : result;
      cli.io.stdout.write(JSON.stringify(printed, null, 2) + '\n');
    } else await spec.print(result, flags as F, cli);
  });
  return command;
}

/** A flag's value as the field wants it: lists split on commas, numbers as numbers; the rest as text. */
function fromText(text: string, property: FieldSchema): unknown {
  if (property.type === 'array')
    return text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  if ((property.type === 'number' || property.type === 'integer') && text.trim() !== '') {
    const number = Number(text);
    // Not a number: passed on as it is, so the operation refuses it with the field's name.
    return Number.isFinite(number) ? number : text;
  }
  return text;
}

function helpOf(property: FieldSchema, cliDefault: string | undefined): string {
  const values = allowedValues(property);
  const parts = [property.description ?? ''];
  if (values && !(property.description ?? '').includes(values[0] ?? ''))
    parts.push(`one of ${values.join(', ')}`);
  if (
    cliDefault === undefined &&
    property.default !== undefined &&
    !/default/.test(property.description ?? '')
  )
    parts.push(`default ${String(property.default)}`);
  return parts.filter((p) => p !== '').join('; ');
}

function allowedValues(property: FieldSchema): string[] | undefined {
  const values = [
    ...(property.enum ?? []),
    ...(property.items?.enum ?? []),
    ...(property.anyOf ?? []).flatMap((option) => [
      ...(option.enum ?? []),
      ...(option.items?.enum ?? []),
      ...(option.const !== undefined ? [option.const] : []),
    ]),
  ].map(String);
  return values.length > 0 ? [...new Set(values)] : undefined;
}

function valueName(flag: string, property: FieldSchema): string {
  if (property.type === 'array') return 'list';
  if (property.type === 'number' || property.type === 'integer') return 'n';
  return flag;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
