import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, readlinkSync } from 'node:fs';

/** Whether the shell tool can isolate commands on this machine, and why not when it cannot. */
export interface ShellIsolation {
  available: boolean;
  /** `bubblewrap` when available. */
  mechanism?: 'bubblewrap';
  /** The bwrap executable, when found. */
  path?: string;
  /** One line for `agentd doctor` and the log: what works, or what is missing and how to get it. */
  detail: string;
}

/** Where bwrap is looked for: fixed folders, not agentd's PATH, which a user may have changed. */
const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];

let probed: Promise<ShellIsolation> | undefined;

/**
 * Reports whether commands can be isolated with bubblewrap: it must be installed AND work here
 * (containers often forbid the user namespaces it needs), so it is tried once with the same kind
 * of sandbox the tool builds. Cached for the process.
 */
export function detectShellIsolation(): Promise<ShellIsolation> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<ShellIsolation> {
  if (process.platform !== 'linux') {
    return { available: false, detail: `no isolation on ${process.platform}: bubblewrap needs Linux` };
  }
  const path = BWRAP_CANDIDATES.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (path === undefined) {
    return {
      available: false,
      detail: 'bubblewrap (bwrap) is not installed; install it (Debian/Ubuntu: apt-get install bubblewrap)',
    };
  }
  const args = [...systemBinds(), '--unshare-all', '--die-with-parent', '--new-session', '--', 'true'];
  return new Promise((resolve) => {
    execFile(path, args, { timeout: 10_000, env: {} }, (error, _stdout, stderr) => {
      resolve(
        error
          ? {
              available: false,
              path,
              detail: `bubblewrap is installed but cannot create a sandbox here (${String(stderr).trim().split('\n')[0] || error.message}); user namespaces may be disabled`,
            }
          : { available: true, mechanism: 'bubblewrap', path, detail: `bubblewrap at ${path} works` },
      );
    });
  });
}

/**
 * Read-only binds of the system a program needs to run: /usr, the merged-/usr links (or folders),
 * and the few files of /etc that name resolution, locales and TLS read. Not all of /etc (it holds
 * credentials on some hosts), not /home, /root or agentd's data folder.
 */
export function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64']) {
    if (!existsSync(top)) continue;
    const stats = lstatSync(top);
    if (stats.isSymbolicLink()) args.push('--symlink', readlinkSync(top), top);
    else args.push('--ro-bind', top, top);
  }
  for (const file of ETC_ENTRIES) args.push('--ro-bind-try', file, file);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  return args;
}

const ETC_ENTRIES = [
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/ssl',
  '/etc/ca-certificates',
];

/** The bwrap arguments (before `--` and the command) for a run in `workspace`. */
export function bubblewrapArgs(options: {
  workspace: string;
  network: boolean;
  env: Record<string, string>;
}): string[] {
  return [
    ...systemBinds(),
    // The workspace is the only writable place besides a private /tmp; bound at its own path so
    // paths the model saw from file tools mean the same inside.
    '--bind',
    options.workspace,
    options.workspace,
    '--chdir',
    options.workspace,
    // The sandbox's own root (where bwrap made the mount points) read-only too: only the
    // workspace and the private /tmp, separate mounts, stay writable.
    '--remount-ro',
    '/',
    '--unshare-all',
    ...(options.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    ...Object.entries(options.env).flatMap(([name, value]) => ['--setenv', name, value]),
  ];
}
