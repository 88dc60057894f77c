import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { z } from 'zod';
import type { AgentSpec, CallPolicy, PreparedCall, TeamSpec } from '../agents/index.js';
import { mapPrompt, TOPOLOGY_NAMES } from '../agents/index.js';
import { AgentdError, PolicyDeniedError } from '../core/errors.js';
import './topology-error-codes.js';
import type { ResolvedModel } from '../models/index.js';
import {
  createStreamUnmasker,
  detectPii,
  PII_KINDS,
  type PiiKind,
  type PiiMasker,
} from '../security/redact/index.js';
import { LOCAL_ONLY_RECALL_LINE } from '../memory/index.js';
import { compileLinearRegex } from '../security/index.js';
import type { LinearRegex } from '../security/index.js';
import { invalidTeam } from './invalid-team.js';
import { defineTopology, type Topology } from './topology.js';

const HybridOptionsSchema = z.strictObject({
  /** The topology that runs the team under the policy. */
  inner: z.enum(TOPOLOGY_NAMES).exclude(['hybrid']),
  /** The inner topology's own options. */
  innerOptions: z.record(z.string(), z.unknown()).default({}),
  /** `local`: sensitive calls run only on local models; `mask`: sensitive values are masked before other models. */
  mode: z.enum(['local', 'mask']).default('local'),
  /** The kinds of personal data that make a call sensitive. */
  detect: z.array(z.enum(PII_KINDS)).default([...PII_KINDS]),
  /** Extra patterns (regular expressions, matched globally) whose matches are sensitive too. */
  rules: z.array(z.strictObject({ name: z.string().min(1), pattern: z.string().min(1) })).default([]),
});

/** The hybrid topology's options as parsed. */
export type HybridOptions = z.infer<typeof HybridOptionsSchema>;

/** Whether a prepared team keeps its sensitive calls on local models (hybrid in `local` mode). */
export function keepsSensitiveCallsLocal(prepared: {
  topology: { name: string };
  options: unknown;
}): boolean {
  return prepared.topology.name === 'hybrid' && (prepared.options as HybridOptions).mode === 'local';
}

/**
 * The call policy for a task's own calls made outside its team (memory's fact extraction and notes
 * summaries): a task that keeps sensitive calls local applies its team's detectors and rules to
 * them too, so its prompt and output do not reach a hosted model through memory. `undefined` for
 * any other task.
 */
export function localOnlyCallPolicy(
  prepared: { topology: { name: string }; options: unknown },
  localModels: () => readonly ResolvedModel[],
): HybridCallPolicy | undefined {
  if (!keepsSensitiveCallsLocal(prepared)) return undefined;
  const options = prepared.options as HybridOptions;
  return createHybridCallPolicy({ mode: 'local', detect: options.detect, rules: options.rules, localModels });
}

/** What the hybrid policy does with a sensitive call to a model that is not local. */
export type HybridMode = HybridOptions['mode'];

/** A custom sensitivity rule: a name (shown in reports, never the matched text) and a regular expression. */
export type SensitiveRule = { name: string; pattern: string };

/** Turns a team into its topology, parsed options and checked team (the lead passes `prepareTeam`). */
export type PrepareInnerTeam = (team: TeamSpec) => {
  topology: Topology<unknown>;
  options: unknown;
  team: TeamSpec;
};

/** What the policy did during a run, for the run's details (labels of what was found, never values). */
export type HybridPolicyStats = {
  /** Model calls that passed the policy. */
  calls: number;
  /** Calls whose prompt contained something sensitive. */
  sensitive: number;
  /** Sensitive calls sent to a local model instead of the agent's own. */
  rerouted: number;
  /** Sensitive calls sent with their sensitive values masked. */
  masked: number;
  /** Distinct values masked, summed over calls. */
  maskedValues: number;
  /** What was found: PII kinds and `rule:<name>` for custom rules, sorted. */
  found: string[];
  /** The local models sensitive calls were rerouted to, sorted. */
  routedTo: string[];
};

/** A call policy that also reports what it did. */
export interface HybridCallPolicy extends CallPolicy {
  stats(): HybridPolicyStats;
}

/** Options of {@link createHybridCallPolicy}. */
export interface HybridCallPolicyOptions {
  mode: HybridMode;
  detect: readonly PiiKind[];
  rules: readonly SensitiveRule[];
  /** Models of local providers, cheapest first (the first one able to serve the agent is used). */
  localModels: () => readonly ResolvedModel[];
}

/**
 * The hybrid topology, built around a function that prepares the inner team (passed in rather than
 * imported, because the topology registry imports this module). It runs the inner topology with a call
 * policy that keeps sensitive input away from models that are not local: see {@link createHybridCallPolicy}.
 * A refused call fails the agent that made it, and the inner topology decides what that means.
 */
export function createHybridTopology(prepareInner: PrepareInnerTeam): Topology<HybridOptions> {
  const innerTeam = (team: TeamSpec, options: HybridOptions): TeamSpec => ({
    ...team,
    topology: options.inner,
    options: options.innerOptions,
  });
  return defineTopology({
    name: 'hybrid',
    description:
      'Runs another topology so that sensitive input reaches only local models, or is masked first.',
    options: HybridOptionsSchema,
    agentFields: ['dependsOn', 'parent'],
    validate(team, options) {
      const seen = new Set<string>();
      for (const rule of options.rules) {
        if (seen.has(rule.name)) throw invalidTeam('hybrid', `rule name '${rule.name}' is used twice`);
        seen.add(rule.name);
      }
      compileRules(options.rules);
      try {
        prepareInner(innerTeam(team, options));
      } catch (error) {
        // Say that the message is about the inner topology; the code and details stay the inner check's.
        if (!(error instanceof AgentdError)) throw error;
        throw new AgentdError({
          code: error.code,
          category: error.category,
          message: `hybrid (inner topology '${options.inner}'): ${error.message}`,
          ...(error.details ? { details: error.details } : {}),
          cause: error,
        });
      }
    },
    async run(team, options, ctx) {
      const inner = prepareInner(innerTeam(team, options));
      const policy = createHybridCallPolicy({
        mode: options.mode,
        detect: options.detect,
        rules: options.rules,
        localModels: () => ctx.localModels(),
      });
      const result = await inner.topology.run(inner.team, inner.options, ctx.withCallPolicy(policy));
      return {
        output: result.output,
        details: {
          inner: options.inner,
          mode: options.mode,
          policy: policy.stats(),
          innerDetails: result.details ?? null,
        },
      };
    },
  });
}

/**
 * The hybrid call policy. Every text of a call's prompt (system, user and assistant text, reasoning,
 * tool-call inputs and tool-result outputs, leaf by leaf) is checked for the `detect` kinds of personal
 * data and the custom rules. A call without findings, or to a local model, is left as it is. Otherwise,
 * in `local` mode the call goes to the first local model (one that supports tools when the agent has
 * tools), or is refused with `hybrid.no_local_model` when there is none; in `mask` mode every finding is
 * replaced by a placeholder (⟦EMAIL_1⟧, ⟦RULE_NAME_1⟧) in a copy of the prompt, and the returned
 * restorer puts the values back into the model's text and tool-call arguments. File parts are passed
 * through unread.
 */
export function createHybridCallPolicy(options: HybridCallPolicyOptions): HybridCallPolicy {
  const rules = compileRules(options.rules);
  // In local mode, a memory that a local-only task left and recall put into the prompt is sensitive
  // as a whole (it was written from sensitive input, whatever the detectors see in it now).
  if (options.mode === 'local') {
    rules.push({ name: 'memory:local-only', regex: LOCAL_ONLY_RECALL_LINE, stem: 'MEMORY' });
  }
  const find = (text: string): Finding[] => findSensitive(text, options.detect, rules);
  const counts = { calls: 0, sensitive: 0, rerouted: 0, masked: 0, maskedValues: 0 };
  const found = new Set<string>();
  const routedTo = new Set<string>();

  return {
    prepare({ agent, model, prompt }): PreparedCall {
      counts.calls++;
      const findings = findingsIn(prompt, find);
      if (findings.length === 0) return { model, prompt };
      counts.sensitive++;
      const labels = [...new Set(findings.map((f) => f.label))].sort();
      for (const label of labels) found.add(label);
      if (model.local) return { model, prompt };

      if (options.mode === 'local') {
        const local = localModelFor(agent, options.localModels());
        if (!local) {
          const needsTools = usesTools(agent);
          throw new PolicyDeniedError({
            code: 'hybrid.no_local_model',
            message:
              `hybrid: agent '${agent.name}' has sensitive input (${labels.join(', ')}) and its model ` +
              `${model.info.id} is not local, but no local model${needsTools ? ' that supports tools' : ''} is ` +
              'configured, so the call was not sent. Configure a local provider (Ollama, or a provider with ' +
              "`local: true`), or use the hybrid mode 'mask'.",
            details: { agent: agent.name, model: model.info.id, found: labels },
          });
        }
        counts.rerouted++;
        routedTo.add(local.info.id);
        return { model: local, prompt };
      }

      const masker = createCallMasker(find);
      const masked = mapPrompt(prompt, (text) => masker.mask(text));
      // Masking one value can change what surrounds another; never send a prompt that still has findings.
      const left = findingsIn(masked, (text) => find(text.replace(PLACEHOLDER, ' ')));
      if (left.length > 0) {
        throw new PolicyDeniedError({
          code: 'hybrid.mask_incomplete',
          message: `hybrid: the prompt of agent '${agent.name}' still had sensitive values after masking, so the call was not sent`,
          details: { agent: agent.name, found: [...new Set(left.map((f) => f.label))].sort() },
        });
      }
      counts.masked++;
      counts.maskedValues += masker.count;
      return {
        model,
        prompt: masked,
        restore: {
          text: () => createStreamUnmasker(masker),
          // Tool arguments are JSON text: a restored value must be escaped as the string literal it sits in.
          toolInput: (input) =>
            input.replace(PLACEHOLDER, (placeholder) =>
              JSON.stringify(masker.unmask(placeholder)).slice(1, -1),
            ),
        },
      };
    },
    stats: () => ({ ...counts, found: [...found].sort(), routedTo: [...routedTo].sort() }),
  };
}

/** A placeholder this policy writes: upper-case letters and `_`, a number, in ⟦ ⟧ (the redact masker's form). */
const PLACEHOLDER = /⟦[A-Z][A-Z_]*_\d+⟧/g;

/** A custom rule ready to match. */
interface CompiledRule {
  name: string;
  regex: LinearRegex;
  /** The placeholder stem: `RULE_` and the name in upper-case letters (short, so streamed placeholders are held back whole). */
  stem: string;
}

/** One sensitive span of a text: `label` is the PII kind or `rule:<name>`; `stem` names its placeholder. */
interface Finding {
  start: number;
  end: number;
  label: string;
  stem: string;
}

/** Compiles the custom rules; a bad or empty-matching pattern is a team error naming the rule. */
function compileRules(rules: readonly SensitiveRule[]): CompiledRule[] {
  return rules.map((rule) => {
    let regex: LinearRegex;
    try {
      // Linear-time: a rule comes with the request's team and must not be able to stall the server.
      regex = compileLinearRegex(rule.pattern);
    } catch (error) {
      throw invalidTeam('hybrid', `rule '${rule.name}' has an invalid pattern: ${(error as Error).message}`);
    }
    if (regex.first('') !== null) {
      throw invalidTeam(
        'hybrid',
        `rule '${rule.name}' matches empty text, so it would make every call sensitive`,
      );
    }
    const name = rule.name
      .toUpperCase()
      .replace(/[^A-Z]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 16);
    return { name: rule.name, regex, stem: `RULE_${name || 'CUSTOM'}` };
  });
}

/** The sensitive spans of a text, sorted and disjoint: overlapping findings merge into one (the longest names it). */
function findSensitive(text: string, kinds: readonly PiiKind[], rules: readonly CompiledRule[]): Finding[] {
  const candidates: Finding[] = detectPii(text, { kinds }).map((m) => ({
    start: m.start,
    end: m.end,
    label: m.kind,
    stem: m.kind.toUpperCase().replaceAll('-', '_'),
  }));
  for (const rule of rules) {
    for (const match of rule.regex.all(text)) {
      if (match.end === match.start) continue;
      candidates.push({
        start: match.start,
        end: match.end,
        label: rule.name.startsWith('memory:') ? rule.name : `rule:${rule.name}`,
        stem: rule.stem,
      });
    }
  }
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: { span: Finding; longest: number }[] = [];
  for (const candidate of candidates) {
    const last = merged.at(-1);
    if (last && candidate.start < last.span.end) {
      const length = candidate.end - candidate.start;
      const end = Math.max(last.span.end, candidate.end);
      last.span =
        length > last.longest ? { ...candidate, start: last.span.start, end } : { ...last.span, end };
      last.longest = Math.max(last.longest, length);
    } else {
      merged.push({ span: candidate, longest: candidate.end - candidate.start });
    }
  }
  return merged.map((m) => m.span);
}

/** Every finding in every text of a prompt. */
function findingsIn(prompt: LanguageModelV3Prompt, find: (text: string) => Finding[]): Finding[] {
  const findings: Finding[] = [];
  mapPrompt(prompt, (text) => {
    findings.push(...find(text));
    return text;
  });
  return findings;
}

/**
 * A masker for one call: each sensitive value gets a placeholder numbered per stem (same value, same
 * placeholder). It has the redact masker's shape, so the redact stream unmasker can restore streamed text.
 */
function createCallMasker(find: (text: string) => Finding[]): PiiMasker {
  const placeholderByValue = new Map<string, string>();
  const valueByPlaceholder = new Map<string, string>();
  const issuedByStem = new Map<string, number>();
  const placeholderFor = (stem: string, value: string): string => {
    const known = placeholderByValue.get(value);
    if (known !== undefined) return known;
    const number = (issuedByStem.get(stem) ?? 0) + 1;
    issuedByStem.set(stem, number);
    const placeholder = `⟦${stem}_${number}⟧`;
    placeholderByValue.set(value, placeholder);
    valueByPlaceholder.set(placeholder, value);
    return placeholder;
  };
  return {
    mask(text) {
      let result = '';
      let copied = 0;
      for (const finding of find(text)) {
        result +=
          text.slice(copied, finding.start) +
          placeholderFor(finding.stem, text.slice(finding.start, finding.end));
        copied = finding.end;
      }
      return result + text.slice(copied);
    },
    unmask: (text) =>
      text.replace(PLACEHOLDER, (placeholder) => valueByPlaceholder.get(placeholder) ?? placeholder),
    get count() {
      return placeholderByValue.size;
    },
  };
}

/** Whether the agent's calls carry tools (its own, or `delegate`). */
function usesTools(agent: AgentSpec): boolean {
  return agent.tools.length > 0 || (agent.delegates?.length ?? 0) > 0;
}

/** The first local model able to serve the agent: any, or one that supports tools when the agent uses tools. */
function localModelFor(agent: AgentSpec, models: readonly ResolvedModel[]): ResolvedModel | undefined {
  const needsTools = usesTools(agent);
  return models.find((m) => m.local && (!needsTools || m.info.capabilities.tools));
}
