import type { z } from 'zod';
import type {
  getMemory,
  getTask,
  listAudit,
  listModels,
  listProcedures,
  listReviews,
  listTopologies,
  routerStats,
  searchMemory,
  taskSpans,
} from '../operations/index.js';
import type { CalibrationReport } from '../judge/index.js';
import type { RouteExplanation } from '../runtime/index.js';

// The records the CLI prints are the operations' results: their types come from the output schemas.
type TaskResult = z.infer<typeof getTask.output>;
type SpanRecord = z.infer<typeof taskSpans.output>['spans'][number];
type ListedModel = z.infer<typeof listModels.output>['models'][number];
type RouterStat = z.infer<typeof routerStats.output>['stats'][number];
/** A review as the reviews operations return it. */
export type ListedReview = z.infer<typeof listReviews.output>['reviews'][number];
/** A topology as `topologies.list` returns it. */
export type ListedTopology = z.infer<typeof listTopologies.output>['topologies'][number];
/** A memory as the memory operations return it. */
export type ListedMemory = z.infer<typeof getMemory.output>;
/** A search result as `memory.search` returns it. */
export type ScoredListedMemory = z.infer<typeof searchMemory.output>['results'][number];
/** A procedure as `memory.procedures` returns it. */
export type ListedProcedure = z.infer<typeof listProcedures.output>['procedures'][number];
/** An audit event as `audit.list` returns it. */
export type ListedAuditEvent = z.infer<typeof listAudit.output>['events'][number];

/** Formats a USD amount with enough digits to show sub-cent costs. */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  return amount < 0.01 ? `$${amount.toFixed(6)}` : `$${amount.toFixed(4)}`;
}

// C0 and C1 control characters; ESC starts terminal sequences.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** A size for people: `512 B`, `3.4 MB`. */
export function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A plain-text table with a header row; columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  // Cells carry other parties' text (an MCP server's tool names, a caller's prompt): their control
  // characters would break the line or, as terminal escapes, rewrite the screen.
  rows = rows.map((row) => row.map((cell) => cell.replace(CONTROL_CHARACTERS, ' ')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** One line per task for `tasks list`. */
export function tasksTable(tasks: TaskResult[]): string {
  return table(
    ['ID', 'STATUS', 'COST', 'CALLS', 'CREATED', 'PROMPT'],
    tasks.map((t) => [
      t.id,
      statusCell(t),
      usd(t.cost.usd),
      String(t.modelCalls),
      new Date(t.timings.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      oneLine(t.prompt, 50),
    ]),
  );
}

/** The detail view of one task for `tasks show`. */
export function taskDetail(task: TaskResult): string {
  const lines = [
    `id:        ${task.id}`,
    `status:    ${task.status}${task.simulated ? ' (simulated: dry-run output, not a real model)' : ''}`,
    `prompt:    ${oneLine(task.prompt, 100)}`,
    `cost:      ${usd(task.cost.usd)} (${task.cost.inputTokens} input + ${task.cost.outputTokens} output tokens)`,
    `calls:     ${task.modelCalls} model, ${task.toolCalls} tool`,
    `duration:  ${task.timings.durationMs === null ? '-' : `${task.timings.durationMs} ms`}`,
  ];
  if (task.error) lines.push(`error:     ${task.error.code}: ${task.error.message}`);
  for (const review of task.reviews ?? []) {
    lines.push(`waits on:  review ${review.id} (${review.kind}): ${oneLine(review.question, 100)}`);
    lines.push(`           answer with: agentd reviews approve ${review.id} (or reject, edit)`);
  }
  for (const part of task.partial ?? []) lines.push(`partial:   ${part.agent}: ${oneLine(part.output, 100)}`);
  if (task.output !== null) lines.push('', task.output);
  return lines.join('\n') + '\n';
}

/** The span tree of a task, indented by parentage, with durations and GenAI attributes. */
export function spanTree(spans: SpanRecord[]): string {
  const children = new Map<string | null, SpanRecord[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  // Siblings in the order they started, whatever order the spans came in (exporters batch them).
  for (const list of children.values()) list.sort((a, b) => a.startTime - b.startTime);
  const out: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const a = span.attributes;
      const details = [
        `${(span.endTime - span.startTime).toFixed(1)} ms`,
        a['gen_ai.usage.input_tokens'] !== undefined
          ? `${a['gen_ai.usage.input_tokens']}→${a['gen_ai.usage.output_tokens']} tok`
          : '',
        typeof a['agentd.cost.usd'] === 'number' ? usd(a['agentd.cost.usd']) : '',
        a['agentd.simulated'] === true ? 'simulated' : '',
        typeof a['agentd.router.chosen'] === 'string' ? `→ ${a['agentd.router.chosen']}` : '',
        typeof a['agentd.router.fallback_from'] === 'string'
          ? `fallback from ${a['agentd.router.fallback_from']} (${String(a['agentd.router.error_class'])})`
          : '',
        span.status === 'error' ? `ERROR ${String(a['error.type'] ?? '')}: ${span.statusMessage ?? ''}` : '',
      ].filter(Boolean);
      out.push(`${'  '.repeat(depth)}${span.name}  [${details.join(', ')}]`);
      walk(span.spanId, depth + 1);
    }
  };
  walk(null, 0);
  return out.join('\n') + '\n';
}

/** The catalog for `models list`. */
export function modelsTable(models: ListedModel[]): string {
  return table(
    ['MODEL', 'INPUT $/1M', 'OUTPUT $/1M', 'CONTEXT', 'CAPABILITIES', 'AVAILABLE'],
    models.map((m) => [
      m.id + (m.isDefault ? ' (default)' : ''),
      m.inputPerMTok.toString(),
      m.outputPerMTok.toString(),
      m.contextWindow.toLocaleString('en-US'),
      Object.entries(m.capabilities)
        .filter(([, on]) => on)
        .map(([name]) => name)
        .join(',') || '-',
      m.available ? 'yes' : 'no',
    ]),
  );
}

/** A task's status for tables: a waiting task names the review it waits on. */
function statusCell(task: TaskResult): string {
  const review = task.reviews?.[0];
  const waitsOn =
    task.status === 'waiting' && review
      ? ` (review ${review.id}${task.reviews && task.reviews.length > 1 ? ` +${task.reviews.length - 1}` : ''})`
      : '';
  return task.status + waitsOn + (task.simulated ? ' (simulated)' : '');
}

/** What a review's answer did, in one word: approved, rejected, edited; or pending. */
export function reviewState(review: ListedReview): string {
  if (!review.answer) return review.status;
  return { approve: 'approved', reject: 'rejected', edit: 'edited' }[review.answer.decision];
}

/** One line per review for `reviews list`. */
export function reviewsTable(reviews: ListedReview[]): string {
  return table(
    ['ID', 'TASK', 'KIND', 'STATUS', 'CREATED', 'QUESTION'],
    reviews.map((r) => [
      r.id,
      r.taskId,
      r.kind,
      reviewState(r),
      new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      oneLine(r.question, 70),
    ]),
  );
}

/** The topologies for `agentd topologies`: name and one-line description. */
export function topologiesTable(topologies: ListedTopology[]): string {
  return table(
    ['TOPOLOGY', 'DESCRIPTION'],
    topologies.map((t) => [t.name, t.description]),
  );
}

/** The line `agentd run` and `agentd reviews` print for a task that waits on a review. */
export function waitingLine(review: { id: string; question: string }): string {
  return `waiting for review ${review.id}: ${oneLine(review.question, 200)} — answer with: agentd reviews approve ${review.id}`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `router explain`: the question, the pick and why, then every candidate (feasible ones first). */
export function routeExplanation(e: RouteExplanation): string {
  const constraints = Object.entries(e.constraints)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  const kind = e.classified
    ? `${e.kind} (classified, confidence ${e.classified.confidence.toFixed(2)})`
    : e.kind;
  const lines = [
    `kind:        ${kind}`,
    `objective:   ${e.objective}  strategy: ${e.strategy}`,
    `constraints: ${constraints || 'none'}`,
    `call:        ${e.inputTokens} input tokens, up to ${e.maxOutputTokens} output tokens`,
    `pick:        ${e.order[0] ?? '-'} (${e.reason})`,
    `fallbacks:   ${e.order.slice(1).join(', ') || 'none'}`,
    '',
  ];
  const rows = [...e.candidates]
    .sort((a, b) => Number(b.feasible) - Number(a.feasible) || b.score - a.score)
    .map((c) => [
      c.id === e.order[0] ? `* ${c.id}` : `  ${c.id}`,
      `${c.quality.mean.toFixed(2)} [${c.quality.low.toFixed(2)}–${c.quality.high.toFixed(2)}]`,
      String(c.quality.observations),
      usd(c.costUsd),
      c.p95Ms === undefined ? '-' : `${Math.round(c.p95Ms)} ms`,
      c.feasible ? c.score.toPrecision(3) : '-',
      c.excluded ?? '',
    ]);
  return (
    lines.join('\n') +
    '\n' +
    table(['MODEL', 'QUALITY [90%]', 'OBS', 'EST. COST', 'P95', 'SCORE', 'RULED OUT BY'], rows)
  );
}

/** `router stats`: one row per model and task kind (`*` is the model over every kind). */
export function routerStatsTable(stats: RouterStat[]): string {
  return table(
    ['MODEL', 'KIND', 'CALLS', 'ERRORS', 'QUALITY [90%]', 'OBS', 'P50', 'P95', 'SPEND'],
    stats.map((s) => [
      s.modelId,
      s.kind === '*' ? '* (all)' : s.kind,
      String(s.calls),
      s.errors === 0 ? '0' : `${s.errors} (${(s.errorRate * 100).toFixed(0)}%)`,
      s.kind === '*'
        ? '-'
        : `${s.quality.mean.toFixed(2)} [${s.quality.low.toFixed(2)}–${s.quality.high.toFixed(2)}]`,
      s.kind === '*' ? '-' : String(s.quality.observations),
      s.p50Ms === null ? '-' : `${Math.round(s.p50Ms)} ms`,
      s.p95Ms === null ? '-' : `${Math.round(s.p95Ms)} ms`,
      usd(s.costUsd),
    ]),
  );
}

const isoMinute = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** One line per search result: score and its main components. */
export function memorySearchTable(results: ScoredListedMemory[]): string {
  return table(
    ['ID', 'LAYER', 'SCORE', 'REL', 'REC', 'IMP', 'CREATED', 'CONTENT'],
    results.map((r) => [
      r.memory.id,
      // A superseded memory (listed with --superseded) says so where the layer is.
      r.memory.validTo === null ? r.memory.layer : `${r.memory.layer} (superseded)`,
      r.score.toFixed(3),
      r.components.relevance.toFixed(2),
      r.components.recency.toFixed(2),
      r.components.importance.toFixed(2),
      isoMinute(r.memory.createdAt),
      oneLine(r.memory.content, 60),
    ]),
  );
}

/** The detail view of one memory. */
export function memoryDetail(m: ListedMemory): string {
  const scope = [
    `tenant ${m.tenant}`,
    m.team && `team ${m.team}`,
    m.agent && `agent ${m.agent}`,
    m.taskId && `task ${m.taskId}`,
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [
    `id:          ${m.id}`,
    `layer:       ${m.layer}`,
    `scope:       ${scope}`,
    `content:     ${m.content}`,
    `importance:  ${m.importance}`,
    `tags:        ${m.tags.join(', ') || '-'}`,
    `valid:       from ${isoMinute(m.validFrom)}${m.validTo !== null ? ` to ${isoMinute(m.validTo)} (superseded by ${m.supersededBy ?? '?'})` : ''}`,
    `created:     ${isoMinute(m.createdAt)}`,
    `accessed:    ${m.accessCount} times, last ${isoMinute(m.lastAccessedAt)}`,
    `embedding:   ${m.embeddingModel ?? 'none'}`,
    `provenance:  ${[m.provenance.taskId && `task ${m.provenance.taskId}`, m.provenance.step && `step ${m.provenance.step}`].filter(Boolean).join(', ') || '-'}`,
    ...(m.provenance.source ? [`source:      ${oneLine(m.provenance.source, 200)}`] : []),
  ];
  return lines.join('\n') + '\n';
}

/** One line per procedure. */
export function proceduresTable(procedures: ListedProcedure[]): string {
  return table(
    ['KIND', 'TOPOLOGY', 'TEAM', 'MODELS', 'RUNS', 'PASS', 'MEAN COST', 'MEAN TIME'],
    procedures.map((p) => [
      p.taskKind,
      p.topology,
      p.teamSignature.split('#')[0] ?? p.teamSignature,
      oneLine(p.models, 40),
      String(p.count),
      `${Math.round(p.passRate * 100)}%`,
      usd(p.meanCostUsd),
      `${(p.meanDurationMs / 1000).toFixed(1)} s`,
    ]),
  );
}

/** One line per audit event, with its tenant (`-` for a change to no one tenant, e.g. a re-embed). */
export function auditTable(events: ListedAuditEvent[]): string {
  return table(
    ['TIME', 'TENANT', 'ACTOR', 'ACTION', 'TARGET', 'DETAILS'],
    events.map((e) => [
      isoMinute(e.at),
      e.tenant ?? '-',
      e.actor,
      e.action,
      e.target,
      oneLine(JSON.stringify(e.details), 60),
    ]),
  );
}

/** One line per judge (and the panel): accuracy, κ, position-swap consistency, cost per verdict, weight. */
export function calibrationTable(report: CalibrationReport): string {
  const rows = [
    ...report.judges,
    ...(report.panel ? [{ ...report.panel, judge: `panel (${report.panel.strategy})` }] : []),
  ];
  const body = table(
    ['JUDGE', 'ITEMS', 'ACCURACY', 'KAPPA', 'SWAP-CONSISTENT', 'COST/VERDICT', 'WEIGHT'],
    rows.map((r) => [
      r.judge,
      String(r.items),
      `${(r.accuracy * 100).toFixed(1)}%`,
      r.kappa.toFixed(3),
      r.positionSwapConsistency === undefined ? '-' : `${(r.positionSwapConsistency * 100).toFixed(0)}%`,
      r.costPerVerdictUsd === undefined ? '-' : usd(r.costPerVerdictUsd),
      report.weights[r.judge] === undefined ? '-' : report.weights[r.judge]!.toFixed(3),
    ]),
  );
  const header = `${report.labelled} labelled items, ${(report.labelPassShare * 100).toFixed(0)}% labelled pass\n`;
  return header + body + report.warnings.map((w) => `warning: ${w}\n`).join('');
}
