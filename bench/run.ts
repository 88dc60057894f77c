// The benchmark runner: `npm run bench -- NAME [args]` runs bench/NAME.ts's exported `run(args)`.
// Without a NAME, or with one that is not a benchmark, it prints the available ones and exits 2.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listBenchmarks } from './bench-kit.js';

/** What every benchmark module exports. */
interface BenchmarkModule {
  run(args: string[]): Promise<void>;
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = listBenchmarks(benchDir);

if (name === undefined || !available.includes(name)) {
  if (name !== undefined) process.stderr.write(`bench: no benchmark named '${name}'\n`);
  process.stderr.write(
    `usage: npm run bench -- NAME [args]\navailable benchmarks:\n${available.map((b) => `  ${b}\n`).join('')}`,
  );
  process.exit(2);
}

const module = (await import(pathToFileURL(join(benchDir, `${name}.ts`)).href)) as Partial<BenchmarkModule>;
if (typeof module.run !== 'function') {
  process.stderr.write(`bench: bench/${name}.ts does not export run(args)\n`);
  process.exit(2);
}
try {
  await module.run(args);
} catch (error) {
  process.stderr.write(
    `bench ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
