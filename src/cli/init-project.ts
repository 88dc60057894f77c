import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providerKeysInEnvironment } from '../config/known-providers.js';
import { AgentdError } from '../core/errors.js';
import type { DetectedLocalServer } from '../models/detect-local-server.js';
import './cli-error-codes.js';

/** What {@link initProject} needs: where to write, and what it found on this machine. */
export interface InitProjectOptions {
  /** The folder to write into (created when missing). */
  dir: string;
  /** Overwrite files that exist. */
  force?: boolean;
  /** The environment (default: the process's): only the NAMES of set variables are used. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A local OpenAI-compatible server found (see detectLocalServer), or null. */
  localServer: DetectedLocalServer | null;
  /** The folder holding the example files; default: the package's `examples/`. */
  examplesDir?: string;
}

/** What {@link initProject} wrote, and the providers it configured. */
export interface InitProjectResult {
  /** Absolute paths of the files written, in order. */
  files: string[];
  /** Names of the providers written into agentd.yaml. */
  providers: string[];
}

/** The files `agentd init` writes, relative to the examples folder and the target folder alike. */
export function exampleFiles(examplesDir: string): string[] {
  const files = ['agentd.yaml'];
  for (const sub of ['agents', 'teams']) {
    const names = readdirSync(join(examplesDir, sub)).filter((n) => n.endsWith('.yaml'));
    files.push(...names.sort().map((name) => `${sub}/${name}`));
  }
  return files;
}

/**
 * The package's `examples/` folder: found by walking up from this module, which runs from `src/cli`
 * (tests, tsx) or from a bundle in `dist/` or `dist/chunks/`.
 */
export function findExamplesDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'examples');
    if (existsSync(join(candidate, 'agentd.yaml')) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new AgentdError({
    code: 'cli.examples_missing',
    message: `the example files are missing from this installation (no examples/agentd.yaml above ${dirname(from)}); reinstall agentd`,
  });
}

/**
 * Writes a starter project into `dir`: a commented agentd.yaml whose providers section lists the
 * providers whose key variables are set (as `env:VAR` references) and a local server if one
 * answered, plus the example agents and teams. Refuses, before writing anything, to overwrite an
 * existing file unless `force`.
 */
export function initProject(options: InitProjectOptions): InitProjectResult {
  const examplesDir = options.examplesDir ?? findExamplesDir();
  const dir = resolve(options.dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new AgentdError({ code: 'cli.usage', message: `${dir} is a file, not a folder` });
  }
  const files = exampleFiles(examplesDir);
  if (!options.force) {
    const existing = files.map((f) => join(dir, f)).filter((path) => existsSync(path));
    if (existing.length > 0) {
      throw new AgentdError({
        code: 'cli.file_exists',
        message: `${existing[0]} already exists${
          existing.length > 1 ? ` (and ${existing.length - 1} more of the files init writes)` : ''
        }; nothing was written. Use --force to overwrite them`,
      });
    }
  }
  const { block, providers } = providersBlock(options.env, options.localServer);
  const written: string[] = [];
  for (const file of files) {
    let text = readFileSync(join(examplesDir, file), 'utf8');
    if (file === 'agentd.yaml') text = replaceProviders(text, block);
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    written.push(target);
  }
  return { files: written, providers };
}

/** The next commands to try after init, for a project in `dir` (relative to `cwd`). */
export function nextCommands(dir: string, cwd: string): string[] {
  const rel = relative(cwd, resolve(dir));
  const target = rel.startsWith('..') ? resolve(dir) : rel;
  const cd = rel === '' ? [] : [`cd ${/^[\w./-]+$/.test(target) ? target : JSON.stringify(target)}`];
  return [
    ...cd,
    'agentd doctor',
    'agentd run --team teams/sequential.yaml "Write a short announcement of our new opening hours"',
    'agentd run --model simulated/dry-run --team teams/debate.yaml "Tabs or spaces?"',
  ].slice(0, 3 + cd.length);
}

/**
 * The `providers:` section for what was found: key variables that are set (by name only) and a
 * local server. Undefined when nothing was found, so the template's commented example stays.
 */
function providersBlock(
  env: InitProjectOptions['env'] | undefined,
  localServer: DetectedLocalServer | null,
): { block: string | undefined; providers: string[] } {
  const lines: string[] = [];
  const providers: string[] = [];
  for (const { provider: known, variable } of providerKeysInEnvironment(env)) {
    providers.push(known.name);
    lines.push(`  ${known.name}: # found ${variable} in the environment`);
    if (known.type !== known.name) lines.push(`    type: ${known.type}`);
    if (known.baseUrl) lines.push(`    baseUrl: ${known.baseUrl}`);
    lines.push(`    apiKey: env:${variable}`);
  }
  if (localServer) {
    providers.push('ollama');
    // Model names come from whatever answered on the port: only plain ones go into the comment, so
    // a name cannot break out of it into the YAML.
    const models = localServer.models
      .filter((model) => /^[\w.:/@+-]{1,100}$/.test(model))
      .slice(0, 5)
      .join(', ');
    lines.push(`  ollama: # answered at ${localServer.baseUrl}${models ? ` (models: ${models})` : ''}`);
    lines.push('    type: openai-compatible');
    lines.push(`    baseUrl: ${localServer.baseUrl}`);
  }
  if (lines.length === 0) return { block: undefined, providers };
  return { block: ['providers:', ...lines].join('\n'), providers };
}

const BEGIN = '# @providers-begin\n';
const END = '# @providers-end\n';

/**
 * The template with the text between its provider markers replaced by `block`, or with only the
 * markers removed (keeping the commented example) when nothing was found.
 */
function replaceProviders(template: string, block: string | undefined): string {
  const begin = template.indexOf(BEGIN);
  const end = template.indexOf(END);
  if (begin < 0 || end < begin) return template;
  const inner = block === undefined ? template.slice(begin + BEGIN.length, end) : `${block}\n`;
  return template.slice(0, begin) + inner + template.slice(end + END.length);
}
