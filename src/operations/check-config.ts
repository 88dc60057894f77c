import { z } from 'zod';
import type { Runtime } from '../runtime/index.js';
import { defineOperation } from './define-operation.js';

// The parts of the masked config the check reads; runtime.settings.config is typed as an open record.
const CheckedConfigSchema = z.object({
  problems: z.array(z.string()).default([]),
  providers: z.array(z.object({ name: z.string() })).default([]),
});

/** The effective configuration, secrets masked, and what in it will make commands fail. */
export const checkConfig = defineOperation({
  name: 'config.check',
  description:
    'The effective configuration (files, environment, defaults) with secrets masked, and its problems.',
  input: z.strictObject({}),
  output: z.object({
    config: z.record(z.string(), z.unknown()),
    defaultModel: z.string(),
    notice: z.string().nullable(),
    /** Each `key.path: reason`; empty when the config is usable as it stands. */
    problems: z.array(z.string()),
    /** The Postgres store: server version, address (no password) and migrations. Absent for SQLite. */
    database: z.string().optional(),
  }),
  permission: 'config.read',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/config' },
  handler: async (runtime) => ({
    // The config's own `problems` are only those found at load time; the full list is `problems`,
    // and two lists that disagree (`problems: []` beside exit 1) mislead.
    config: withoutProblems(runtime.settings.config),
    defaultModel: runtime.models.defaultModel,
    notice: runtime.models.notice ?? null,
    problems: configProblems(runtime),
    ...(runtime.settings.store.engine === 'postgres'
      ? { database: await runtime.settings.store.describe() }
      : {}),
  }),
});

/** Config problems recorded at load time, plus a default model whose provider nobody serves. */
function configProblems(runtime: Runtime): string[] {
  const config = CheckedConfigSchema.parse(runtime.settings.config);
  const problems = [...config.problems];
  // Providers that serve something: configured ones, plus those the runtime added (the simulated
  // fallback, programmatic providers) as far as the catalog shows them available.
  const served = new Set([
    ...config.providers.map((p) => p.name),
    ...runtime.models
      .list()
      .filter((m) => m.available)
      .map((m) => m.provider),
  ]);
  const provider = runtime.models.defaultModel.split('/')[0] ?? '';
  if (!served.has(provider)) {
    problems.push(
      `models.default: ${runtime.models.defaultModel} names provider '${provider}', which is not configured ` +
        `(configured: ${[...served].join(', ') || 'none'})`,
    );
  }
  return problems;
}

function withoutProblems(config: Record<string, unknown>): Record<string, unknown> {
  const { problems: _loadTime, ...rest } = config;
  return rest;
}
