import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { checkConfig, checkProviders, listTasks } from '../operations/index.js';
import { detectShellIsolation } from '../tools/index.js';
import type { CliContext } from './cli-context.js';

/** How a check came out: fine, worth a look, or something that will make commands fail. */
export type CheckLevel = 'ok' | 'warn' | 'fail';

/** One line of `agentd doctor`: what was checked, what was found, and what to do about it. */
export interface DoctorCheck {
  name: string;
  level: CheckLevel;
  detail: string;
  fix?: string;
}

const MIN_NODE: readonly [number, number] = [20, 19];

/**
 * The checks of `agentd doctor`, in the order they are printed. `live`: one 1-token call per
 * provider and the embedding model loaded (never without it: the default doctor costs nothing).
 */
export async function runDoctorChecks(
  cli: CliContext,
  options: { live?: boolean } = {},
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [nodeCheck()];
  const config = await cli.invoke(checkConfig, {});
  const settings = config.config as {
    home?: string;
    files?: string[];
    store?: { path?: string; url?: string };
    server?: { host?: string; port?: number };
    memory?: { enabled?: boolean; embeddings?: string };
  };
  checks.push(
    config.problems.length === 0
      ? { name: 'config', level: 'ok', detail: `files: ${settings.files?.join(', ') || 'none (defaults)'}` }
      : {
          name: 'config',
          level: 'fail',
          detail: config.problems.join('; '),
          fix: 'see agentd config check',
        },
  );
  checks.push({
    name: 'default model',
    level: config.defaultModel.startsWith('simulated/') ? 'warn' : 'ok',
    detail: config.defaultModel,
    ...(config.notice ? { fix: config.notice } : {}),
  });
  const models = await cli.invoke(checkProviders, { live: options.live === true });
  for (const provider of models.providers) {
    checks.push({
      name: `provider ${provider.name}`,
      level: provider.level,
      detail: provider.detail,
      ...(provider.fix ? { fix: provider.fix } : {}),
    });
  }
  if (config.database !== undefined) checks.push({ name: 'database', level: 'ok', detail: config.database });
  else if (settings.store?.path) checks.push(databaseCheck(settings.store.path));
  if (settings.home) checks.push(privateFolderCheck(settings.home));
  checks.push({
    name: 'memory',
    level: 'ok',
    detail: settings.memory?.enabled === false ? 'off' : 'on',
  });
  const { embeddings, vectorIndex } = models;
  checks.push({
    name: 'embeddings',
    level: embeddings.level,
    detail: embeddings.detail,
    ...(embeddings.fix ? { fix: embeddings.fix } : {}),
  });
  checks.push({
    name: 'vector index',
    level: vectorIndex.level,
    detail: vectorIndex.detail,
    ...(vectorIndex.fix ? { fix: vectorIndex.fix } : {}),
  });
  const isolation = await detectShellIsolation();
  checks.push({
    name: 'shell isolation',
    level: isolation.available ? 'ok' : 'warn',
    detail: isolation.detail,
    ...(isolation.available
      ? {}
      : { fix: 'apt-get install bubblewrap (only matters with tools.shell.enabled)' }),
  });
  if (settings.server?.port !== undefined) {
    checks.push(await portCheck(settings.server.host ?? '127.0.0.1', settings.server.port));
  }
  const { tasks } = await cli.invoke(listTasks, { interrupted: true });
  checks.push(
    tasks.length === 0
      ? { name: 'interrupted tasks', level: 'ok', detail: 'none' }
      : {
          name: 'interrupted tasks',
          level: 'warn',
          detail: `${tasks.length}: ${tasks.map((task) => task.id).join(', ')}`,
          fix: 'agentd tasks resume (or agentd tasks list --interrupted to see why one is left alone)',
        },
  );
  if (settings.home) checks.push(workspacesCheck(join(settings.home, 'workspaces')));
  return checks;
}

function nodeCheck(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return {
    name: 'node',
    level: ok ? 'ok' : 'fail',
    detail: process.versions.node,
    ...(ok ? {} : { fix: `install Node ${MIN_NODE.join('.')} or newer` }),
  };
}

function databaseCheck(path: string): DoctorCheck {
  if (!existsSync(path)) return { name: 'database', level: 'fail', detail: `${path} is missing` };
  const stat = statSync(path);
  const mode = stat.mode & 0o777;
  const size = `${(stat.size / 1024 / 1024).toFixed(1)} MB`;
  return mode & 0o077
    ? {
        name: 'database',
        level: 'warn',
        detail: `${path}, ${size}, mode ${mode.toString(8)}: other users can read it`,
        fix: `chmod 600 ${path}*`,
      }
    : { name: 'database', level: 'ok', detail: `${path}, ${size}, mode ${mode.toString(8)}` };
}

function privateFolderCheck(home: string): DoctorCheck {
  const dir = existsSync(home) ? home : dirname(home);
  const mode = statSync(dir).mode & 0o777;
  return mode & 0o077
    ? {
        name: 'home',
        level: 'warn',
        detail: `${dir}, mode ${mode.toString(8)}: other users can list it`,
        fix: `chmod 700 ${dir}`,
      }
    : { name: 'home', level: 'ok', detail: `${dir}, mode ${mode.toString(8)}` };
}

function portCheck(host: string, port: number): Promise<DoctorCheck> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({
        name: 'port',
        level: 'warn',
        detail: `${host}:${port} is not free (${error.code ?? error.message}); agentd serve may already run`,
        fix: 'agentd serve --port <another>',
      }),
    );
    server.listen({ host, port }, () => {
      server.close(() => resolve({ name: 'port', level: 'ok', detail: `${host}:${port} is free` }));
    });
  });
}

function workspacesCheck(dir: string): DoctorCheck {
  if (!existsSync(dir)) return { name: 'workspaces', level: 'ok', detail: 'none yet' };
  let bytes = 0;
  let count = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) bytes += statSync(child).size;
    }
  };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    count += 1;
    walk(join(dir, entry.name));
  }
  return {
    name: 'workspaces',
    level: 'ok',
    detail: `${count} in ${dir}, ${(bytes / 1024 / 1024).toFixed(1)} MB`,
  };
}
