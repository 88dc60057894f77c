import type { Logger } from '../../core/logger.js';

/** Loads a module by specifier or file URL (an `import()`; tests inject one to simulate a missing package). */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/** What foreign agents (modules and processes) may use, from the `agents` config section. */
export interface ForeignAgentSettings {
  /** The folder `module` and `cwd` paths resolve in and may not leave (`agents.projectDir`). */
  projectDir: string;
  /** Programs process agents may run, as argv prefixes (`agents.allowedCommands`). */
  allowedCommands: readonly string[];
  /** The values `env: NAME` references of process agents may read (`agents.allowedEnv`, set ones only). */
  env: Readonly<Record<string, string>>;
  /** The environment every process agent starts from (PATH, HOME, LANG, …; no API keys). */
  baseEnv: Readonly<Record<string, string>>;
  /** Where process agents' stderr goes, line by line. */
  logger?: Logger | undefined;
  /** How framework packages and user modules are imported (default: `import()`). */
  importer?: ModuleImporter | undefined;
}
