import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { AgentdError } from '../core/errors.js';

/** Counts the tokens of a text exactly (off the main thread). */
export type TokenCounter = (text: string) => Promise<number>;

/**
 * An upper bound of a text's tokens, free to compute: its UTF-8 length. A byte-level BPE token (the
 * o200k/cl100k encodings; SentencePiece with byte fallback) is at least one byte, so no tokenizer
 * counts more. English runs ~4 bytes a token: reserving by the bound holds up to ~4× the input's
 * price, which settles to the measured usage when the call ends.
 */
export function tokenUpperBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The worker that holds the o200k_base encoding (gpt-tokenizer, pure JavaScript). Loading it takes
 * ~130–400 ms and ~70 MB, and counting ~1 µs per character: on the main thread both would stall every
 * other task and request of the process. Inline CommonJS (agentd runs from sources and from a bundle),
 * loading the encoding by the absolute path resolved here.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let encoding;
parentPort.on('message', ({ id, text }) => {
  try {
    encoding ??= require(workerData.encoding);
    parentPort.postMessage({ id, count: text.length === 0 ? 0 : encoding.countTokens(text) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Reply {
  id: number;
  count?: number;
  error?: string;
}

/** One worker per process, started on first use; it keeps the process alive only while a count is pending. */
let shared: { worker: Worker; pending: Map<number, (reply: Reply) => void> } | undefined;
let nextId = 0;

function startWorker(): NonNullable<typeof shared> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // The source is CommonJS whatever flags started this process (`--input-type=module` would
    // make it an ES module, where require is undefined).
    execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')),
    workerData: { encoding: createRequire(import.meta.url).resolve('gpt-tokenizer/encoding/o200k_base') },
  });
  const state = { worker, pending: new Map<number, (reply: Reply) => void>() };
  const fail = (message: string) => {
    if (shared === state) shared = undefined;
    for (const [id, settle] of state.pending) settle({ id, error: message });
    state.pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    state.pending.get(reply.id)?.(reply);
    state.pending.delete(reply.id);
    if (state.pending.size === 0) worker.unref();
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', (code) => fail(`the token counting worker exited (code ${code})`));
  worker.unref();
  return state;
}

/**
 * Counts a text's tokens in the o200k_base encoding (OpenAI's current models), in a worker thread.
 * Other vendors' tokenizers differ by a few percent; reservations are worst-case estimates and
 * settle to the measured usage. The encoding loads on the first count.
 */
export const countTokens: TokenCounter = (text) => {
  shared ??= startWorker();
  const { worker, pending } = shared;
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) => {
      if (reply.count !== undefined) resolve(reply.count);
      else {
        reject(
          new AgentdError({
            code: 'internal.error',
            message: `could not count tokens: ${reply.error ?? 'no answer'}`,
          }),
        );
      }
    });
    worker.ref();
    worker.postMessage({ id, text });
  });
};
