import { unwatchFile, watchFile } from 'node:fs';
import type { Stats } from 'node:fs';

/** Options of {@link watchConfigFiles}. */
export interface WatchConfigFilesOptions {
  files: readonly string[];
  /** Called once per burst of changes (an editor's save can touch a file several times). */
  onChange(): void;
  /** How often files are checked, ms (default 1000). */
  intervalMs?: number;
}

/**
 * Calls `onChange` when any of the files changes (or appears, or disappears). Polls with
 * fs.watchFile rather than fs.watch: editors that save by replacing the file end an fs.watch
 * watcher, and polling a few config files once a second costs nothing. The watchers do not keep
 * the process alive. Returns a function that stops watching.
 */
export function watchConfigFiles(options: WatchConfigFilesOptions): () => void {
  const interval = options.intervalMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  const listener = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    clearTimeout(timer);
    timer = setTimeout(options.onChange, Math.min(interval, 200));
    timer.unref();
  };
  for (const file of options.files) watchFile(file, { interval, persistent: false }, listener);
  return () => {
    clearTimeout(timer);
    for (const file of options.files) unwatchFile(file, listener);
  };
}
