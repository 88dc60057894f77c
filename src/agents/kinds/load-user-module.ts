import { stat } from 'node:fs/promises';
import { extname, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentdError } from '../../core/errors.js';
import '../agent-error-codes.js';
import type { AgentSpec } from '../agent-spec.js';
import type { ForeignAgentSettings, ModuleImporter } from './foreign-settings.js';
import type { AgentKind } from './kind-fields.js';
import { resolveInProject } from './project-path.js';

/** The default importer: a dynamic `import()`, so optional packages load only when a spec uses them. */
export const dynamicImport: ModuleImporter = (specifier) => import(specifier);

/**
 * Imports an optional framework package; a missing one says which package the kind needs and how to
 * install it (the packages are optional peer dependencies of agentd).
 */
export async function importPackage<T>(
  kind: AgentKind,
  name: string,
  importer: ModuleImporter = dynamicImport,
): Promise<T> {
  try {
    return (await importer(name)) as T;
  } catch (error) {
    if (isMissingPackage(error, name)) {
      throw new AgentdError({
        code: 'agent.kind_package_missing',
        message: `kind '${kind}' needs ${name} — npm i ${name}`,
        details: { kind, package: name },
        cause: error,
      });
    }
    throw error;
  }
}

function isMissingPackage(error: unknown, name: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error instanceof Error &&
    error.message.includes(name)
  );
}

/**
 * Loads the export a module-kind agent names from the project folder. JavaScript modules are
 * imported as they are; TypeScript ones through tsx's `tsImport` (Node 20 cannot strip types), so
 * tsx must be installed for them (ADR 0073).
 */
export async function loadUserExport(
  kind: AgentKind,
  agent: AgentSpec,
  settings: ForeignAgentSettings | undefined,
  cwd: string,
): Promise<unknown> {
  const requested = agent.module ?? '';
  const projectDir = settings?.projectDir ?? cwd;
  const importer = settings?.importer ?? dynamicImport;
  const path = await resolveInProject(projectDir, requested, { agent: agent.name, field: 'module' });
  // Installed packages are not agents: importing one of their files (a CLI entry, a script) runs it.
  if (relative(projectDir, path).split(sep).includes('node_modules')) {
    throw new AgentdError({
      code: 'agent.path_outside_project',
      message: `agent '${agent.name}': module '${requested}' is inside node_modules; name a module of the project itself`,
      details: { agent: agent.name, path: 'module' },
    });
  }
  const found = await stat(path).catch(() => undefined);
  if (!found?.isFile()) {
    throw new AgentdError({
      code: 'agent.module_invalid',
      message: `agent '${agent.name}': module '${requested}' is not a file in the project folder ${projectDir}`,
      details: { agent: agent.name, path: 'module' },
    });
  }
  const url = pathToFileURL(path).href;
  let loaded: Record<string, unknown>;
  try {
    if (/^\.m?ts$/.test(extname(path))) {
      const tsx = await importPackage<{ tsImport(url: string, parent: string): Promise<unknown> }>(
        kind,
        'tsx/esm/api',
        importer,
      ).catch((error: unknown) => {
        if (error instanceof AgentdError && error.code === 'agent.kind_package_missing') {
          throw new AgentdError({
            code: 'agent.kind_package_missing',
            message: `agent '${agent.name}': module '${requested}' is TypeScript, which needs tsx to load — npm i tsx (or point module at the compiled .js)`,
            details: { kind, package: 'tsx' },
          });
        }
        throw error;
      });
      loaded = (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      loaded = (await importer(url)) as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof AgentdError) throw error;
    throw new AgentdError({
      code: 'agent.module_invalid',
      message: `agent '${agent.name}': module '${requested}' failed to load: ${error instanceof Error ? error.message : String(error)}`,
      details: { agent: agent.name, path: 'module' },
      cause: error,
    });
  }
  const name = agent.export ?? 'default';
  // A TypeScript file outside an ESM package compiles to CommonJS: its exports sit under `default`.
  const inner = loaded['default'] as Record<string, unknown> | undefined;
  if (inner && typeof inner === 'object' && inner['__esModule'] === true) loaded = inner;
  const value = loaded[name];
  if (value === undefined || value === null) {
    const exports = Object.keys(loaded).join(', ') || 'none';
    throw new AgentdError({
      code: 'agent.module_invalid',
      message: `agent '${agent.name}': module '${requested}' has no export '${name}' (it exports: ${exports})`,
      details: { agent: agent.name, path: 'export' },
    });
  }
  return value;
}

/** The error for an export that is not what the kind runs, naming what was expected. */
export function wrongExport(agent: AgentSpec, expected: string): AgentdError {
  return new AgentdError({
    code: 'agent.module_invalid',
    message: `agent '${agent.name}': export '${agent.export ?? 'default'}' of '${agent.module ?? ''}' is not ${expected}`,
    details: { agent: agent.name, path: 'export' },
  });
}
