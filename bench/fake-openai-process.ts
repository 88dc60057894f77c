// The fake OpenAI-compatible server of src/testing/ in a process of its own, so the load benchmark's
// model does not share an event loop (or a core's time slice) with the benchmark's clients.
// Run: node --import tsx bench/fake-openai-process.ts --delay-ms 200
// Prints `{"baseUrl": "..."}` on its first stdout line once listening; on SIGTERM it prints
// `{"received": N}` (requests answered) and exits.
import { startFakeOpenAIServer } from '../src/testing/fake-openai-server.js';
import { option } from './bench-kit.js';

const delayMs = Number(option(process.argv.slice(2), 'delay-ms') ?? '200');
if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`--delay-ms: '${delayMs}' is not a delay`);

const server = await startFakeOpenAIServer({
  delayMs,
  // Every call gets the same short answer with fixed usage, like the overhead benchmark's model.
  script: () => ({ text: 'Done: this step is complete.', usage: { promptTokens: 50, completionTokens: 8 } }),
  models: ['fake-model'],
  recordRequests: false,
});
process.stdout.write(`${JSON.stringify({ baseUrl: server.baseUrl })}\n`);
process.once('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ received: server.received() })}\n`);
  void server.close().then(() => process.exit(0));
});
