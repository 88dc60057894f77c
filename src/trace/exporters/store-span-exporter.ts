import type { SpanRecord, TraceStore } from '../../store/trace-store.js';
import type { SpanExporter } from '../span-exporter.js';

/** Exports spans into agentd's TraceStore, so `tasks show --spans` and the dashboard can read them. */
export class StoreSpanExporter implements SpanExporter {
  readonly #traces: TraceStore;

  constructor(options: { traces: TraceStore }) {
    this.#traces = options.traces;
  }

  export(spans: readonly SpanRecord[]): Promise<void> {
    return this.#traces.insert([...spans]);
  }
}
