import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { AgentdError } from '../../core/errors.js';
import { keyIdOf } from './secret-cipher.js';
import './vault-error-codes.js';

/** Where the master key comes from: `AGENTD_MASTER_KEY` (passed in by config loading) or a key file. */
export interface MasterKeySource {
  /** The text of `AGENTD_MASTER_KEY`, when set; it wins over the key file. */
  masterKey?: string | undefined;
  /** The key file (`$AGENTD_HOME/secrets.key`), created on first use when no variable is set. */
  keyFile: string;
}

/** A loaded master key. */
export interface MasterKey {
  key: Buffer;
  /** Its fingerprint (see keyIdOf). */
  id: string;
  source: 'env' | 'file';
}

const KEY_BYTES = 32;

/**
 * Parses a 32-byte key written as 64 hex digits or as base64 (standard or URL-safe). `where` names
 * the source in the error, which never quotes the text.
 */
export function parseMasterKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64');
    if (decoded.length === KEY_BYTES) key = decoded;
  }
  if (key === undefined) {
    throw new AgentdError({
      code: 'vault.invalid_key',
      message:
        `${where} must be 32 random bytes written as 64 hex digits or as base64 (44 characters), ` +
        `e.g. the output of \`openssl rand -base64 32\`; the value given is ${trimmed.length} characters long and is not`,
    });
  }
  return key;
}

/** A new random master key. */
export function generateMasterKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** The master key wrapped up with its fingerprint. */
export function masterKeyOf(key: Buffer, source: MasterKey['source']): MasterKey {
  return { key, id: keyIdOf(key), source };
}

/**
 * The master key: `AGENTD_MASTER_KEY` when set, else the key file. Without either, undefined, or
 * with `create`, a new key written to a new key file (mode 0600, folder 0700).
 */
export function loadMasterKey(source: MasterKeySource, options: { create: boolean }): MasterKey | undefined {
  if (source.masterKey !== undefined && source.masterKey !== '') {
    return masterKeyOf(parseMasterKey(source.masterKey, 'AGENTD_MASTER_KEY'), 'env');
  }
  const existing = readKeyFile(source.keyFile);
  if (existing !== undefined) return masterKeyOf(existing, 'file');
  if (!options.create) return undefined;
  const key = generateMasterKey();
  writeKeyFile(source.keyFile, key, { replace: false });
  return masterKeyOf(key, 'file');
}

/**
 * Reads a key file, or undefined when there is none. Refuses a symlink, a file another user owns,
 * and one that group or others may read or write: a key anyone else can read protects nothing.
 */
export function readKeyFile(path: string): Buffer | undefined {
  // Checked and read through one descriptor opened without following a link: checking the path
  // and then reading it would let a link swapped in between hand agentd someone else's key.
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw notRegularFile(path);
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegularFile(path);
    const uid = process.getuid?.();
    // Windows reports no POSIX modes or owners (its ACLs are not checked here).
    const posix = process.platform !== 'win32';
    if (posix && ((stats.mode & 0o077) !== 0 || (uid !== undefined && stats.uid !== uid))) {
      throw new AgentdError({
        code: 'vault.key_file_permissions',
        message:
          `the vault key file ${path} has mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}` +
          `${uid !== undefined && stats.uid !== uid ? ' and another owner' : ''}; it must be readable by its owner only: chmod 600 ${path}`,
      });
    }
    return parseMasterKey(readFileSync(fd, 'utf8'), `the vault key file ${path}`);
  } finally {
    closeSync(fd);
  }
}

function notRegularFile(path: string): AgentdError {
  return new AgentdError({
    code: 'vault.key_file_permissions',
    message: `the vault key file ${path} is not a regular file (a symlink or folder is refused)`,
  });
}

/**
 * Writes `key` to `path` with mode 0600. `replace: false` fails if the file exists (two processes
 * creating the first key must not both win); `replace: true` writes a sibling and renames it over,
 * so the file is always either the old key or the new one.
 */
export function writeKeyFile(path: string, key: Buffer, options: { replace: boolean }): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const target = options.replace ? `${path}.tmp` : path;
  if (options.replace) rmSync(target, { force: true });
  // 'wx': O_CREAT|O_EXCL, created with 0600 from the start (no window with a looser mode).
  const fd = openSync(target, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  if (options.replace) renameSync(target, path);
}
