import type { SpanRecord } from '../store/trace-store.js';
import type { SpanExporter } from '../trace/index.js';

/** A span exporter for tests: keeps every span it was sent (also after shutdown) and counts shutdowns. */
export interface RecordingSpanExporter extends SpanExporter {
  readonly spans: SpanRecord[];
  readonly shutdowns: number;
}

/** Creates a {@link RecordingSpanExporter}. */
export function createRecordingSpanExporter(): RecordingSpanExporter {
  const spans: SpanRecord[] = [];
  let shutdowns = 0;
  return {
    spans,
    get shutdowns() {
      return shutdowns;
    },
    async export(batch) {
      spans.push(...batch);
    },
    async shutdown() {
      shutdowns++;
    },
  };
}
