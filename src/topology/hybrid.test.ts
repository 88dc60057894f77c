import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { TeamSpecSchema, type AgentSpec, type CallPolicy, type TeamSpec } from '../agents/index.js';
import { AgentdError, PolicyDeniedError } from '../core/errors.js';
import type { ResolvedModel } from '../models/index.js';
import { PII_KINDS } from '../security/redact/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { createHybridCallPolicy, createHybridTopology, type HybridCallPolicyOptions } from './hybrid.js';
import { sequentialTopology } from './sequential.js';
import type { Topology } from './topology.js';

const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';
const CARD_NUMBER = 4539578763621486;
const CODENAME = 'Project-ZEB42';
const RULES = [{ name: 'codename', pattern: 'Project-[A-Z]{3}\\d{2}' }];

function model(id: string, local: boolean, tools = true): ResolvedModel {
  const [provider = '', name = ''] = id.split('/');
  return {
    // The policy never calls the model; a placeholder object stands in for it.
    model: {} as ResolvedModel['model'],
    info: {
      id,
      provider,
      model: name,
      inputPerMTok: local ? 0 : 1,
      outputPerMTok: local ? 0 : 2,
      contextWindow: 128_000,
      capabilities: { tools, json: true, vision: false },
      known: true,
      simulated: false,
    },
    local,
  };
}

const CLOUD = model('openai/gpt-4o-mini', false);
const agent = (tools: string[] = []): AgentSpec => ({ name: 'clerk', tools });

/** A conversation with an email, a card number and a codename in every kind of part a prompt has. */
function sensitivePrompt(): LanguageModelV3Prompt {
  return [
    { role: 'system', content: `You help ${EMAIL}.` },
    { role: 'user', content: [{ type: 'text', text: `Charge card ${CARD} for ${CODENAME}.` }] },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Looking it up.' },
        {
          type: 'tool-call',
          toolCallId: 'c1',
          toolName: 'lookup',
          input: { email: EMAIL, project: CODENAME },
        },
      ],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'c1',
          toolName: 'lookup',
          output: {
            type: 'json',
            value: { owner: EMAIL, card: CARD_NUMBER, notes: [`${CODENAME} is late`] },
          },
        },
      ],
    },
  ];
}

const plainPrompt: LanguageModelV3Prompt = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: [{ type: 'text', text: 'What is 2 + 2?' }] },
];

function policy(options: Partial<HybridCallPolicyOptions> = {}) {
  return createHybridCallPolicy({
    mode: 'mask',
    detect: PII_KINDS,
    rules: RULES,
    localModels: () => [],
    ...options,
  });
}

/** Restores streamed text the way the runtime does: chunk by chunk, then flush. */
function streamed(
  restore: { text(): { push(c: string): string; flush(): string } },
  chunks: string[],
): string {
  const unmasker = restore.text();
  return chunks.map((chunk) => unmasker.push(chunk)).join('') + unmasker.flush();
}

describe('hybrid call policy', () => {
  it('leaves a call without sensitive input unchanged', () => {
    const hybrid = policy();
    const prepared = hybrid.prepare({ agent: agent(), model: CLOUD, prompt: plainPrompt });
    expect(prepared.model).toBe(CLOUD);
    expect(prepared.prompt).toBe(plainPrompt);
    expect(prepared.restore).toBeUndefined();
    expect(hybrid.stats()).toMatchObject({ calls: 1, sensitive: 0, rerouted: 0, masked: 0 });
  });

  it('in mask mode, masks every email, card number and custom-rule match, in a copy of the prompt', () => {
    const hybrid = policy({ mode: 'mask' });
    const prompt = sensitivePrompt();
    const before = JSON.stringify(prompt);
    const prepared = hybrid.prepare({ agent: agent(), model: CLOUD, prompt });

    const sent = JSON.stringify(prepared.prompt);
    for (const value of [EMAIL, CARD, String(CARD_NUMBER), CODENAME]) expect(sent).not.toContain(value);
    expect(sent).toContain('⟦EMAIL_1⟧');
    expect(sent).toContain('⟦PAYMENT_CARD_1⟧');
    expect(sent).toContain('⟦PAYMENT_CARD_2⟧');
    expect(sent).toContain('⟦RULE_CODENAME_1⟧');
    // The same value gets the same placeholder everywhere in the call.
    expect(sent.match(/⟦EMAIL_\d+⟧/g)?.every((p) => p === '⟦EMAIL_1⟧')).toBe(true);
    expect(prepared.model).toBe(CLOUD);
    expect(JSON.stringify(prompt)).toBe(before);
    expect(hybrid.stats()).toEqual({
      calls: 1,
      sensitive: 1,
      rerouted: 0,
      masked: 1,
      maskedValues: 4,
      found: ['email', 'payment-card', 'rule:codename'],
      routedTo: [],
    });
  });

  it('restores the values in streamed text, even when a placeholder is split across chunks', () => {
    const prepared = policy().prepare({ agent: agent(), model: CLOUD, prompt: sensitivePrompt() });
    const restore = prepared.restore;
    if (!restore) throw new Error('expected a restorer');
    const answer = streamed(restore, [
      'Sent the receipt to ⟦EMA',
      'IL_1⟧ for ⟦RULE_CODENAME_1⟧',
      ', card ⟦PAYMENT_CARD_1⟧.',
    ]);
    expect(answer).toBe(`Sent the receipt to ${EMAIL} for ${CODENAME}, card ${CARD}.`);
    expect(streamed(restore, ['Unknown ⟦EMAIL_9⟧ stays'])).toBe('Unknown ⟦EMAIL_9⟧ stays');
  });

  it('restores the values in tool-call arguments, escaped for the JSON string they sit in', () => {
    const rules = [{ name: 'quoted', pattern: 'ref="[a-z]+"' }];
    const prepared = policy({ rules }).prepare({
      agent: agent(['lookup']),
      model: CLOUD,
      prompt: [{ role: 'user', content: [{ type: 'text', text: `Find ref="abc" for ${EMAIL}` }] }],
    });
    const input = prepared.restore?.toolInput('{"query":"⟦RULE_QUOTED_1⟧","to":"⟦EMAIL_1⟧"}') ?? '';
    expect(JSON.parse(input)).toEqual({ query: 'ref="abc"', to: EMAIL });
  });

  it('masks overlapping findings as one value, so no part of either is sent', () => {
    const rules = [{ name: 'contact', pattern: 'contact [a-z.]+' }];
    const prepared = policy({ rules }).prepare({
      agent: agent(),
      model: CLOUD,
      prompt: [{ role: 'user', content: [{ type: 'text', text: `Please contact ${EMAIL} today` }] }],
    });
    const sent = JSON.stringify(prepared.prompt);
    expect(sent).toContain('Please ⟦');
    expect(sent).not.toContain('jane');
    expect(sent).not.toContain('example.com');
    if (!prepared.restore) throw new Error('expected a restorer');
    expect(streamed(prepared.restore, [sent])).toContain(`contact ${EMAIL}`);
  });

  it('looks only for the configured kinds', () => {
    const hybrid = policy({ detect: ['email'], rules: [] });
    const prompt: LanguageModelV3Prompt = [
      { role: 'user', content: [{ type: 'text', text: `Card ${CARD}` }] },
    ];
    expect(hybrid.prepare({ agent: agent(), model: CLOUD, prompt }).prompt).toBe(prompt);
    expect(hybrid.stats().sensitive).toBe(0);
  });

  it('in local mode, reroutes a sensitive call to the first local model, unchanged', () => {
    const small = model('ollama/llama3.2', true, false);
    const tooly = model('ollama/qwen3', true, true);
    const hybrid = policy({ mode: 'local', localModels: () => [small, tooly] });
    const prompt = sensitivePrompt();

    const plain = hybrid.prepare({ agent: agent(), model: CLOUD, prompt });
    expect(plain.model).toBe(small);
    expect(plain.prompt).toBe(prompt);
    expect(plain.restore).toBeUndefined();

    // An agent with tools needs a local model that supports them.
    expect(hybrid.prepare({ agent: agent(['read_file']), model: CLOUD, prompt }).model).toBe(tooly);
    expect(hybrid.stats()).toMatchObject({
      calls: 2,
      sensitive: 2,
      rerouted: 2,
      routedTo: ['ollama/llama3.2', 'ollama/qwen3'],
    });
  });

  it('in local mode, refuses a sensitive call when no local model can take it, without sending it', () => {
    const none = policy({ mode: 'local', localModels: () => [] });
    const call = () => none.prepare({ agent: agent(), model: CLOUD, prompt: sensitivePrompt() });
    expect(call).toThrow(PolicyDeniedError);
    try {
      call();
    } catch (error) {
      const denied = error as PolicyDeniedError;
      expect(denied.code).toBe('hybrid.no_local_model');
      expect(denied.message).toContain('Ollama');
      expect(denied.message).toContain('local: true');
      expect(denied.message).toContain("'mask'");
      expect(denied.message).not.toContain(EMAIL);
    }
    const withoutTools = policy({
      mode: 'local',
      localModels: () => [model('ollama/llama3.2', true, false)],
    });
    expect(() =>
      withoutTools.prepare({ agent: agent(['read_file']), model: CLOUD, prompt: sensitivePrompt() }),
    ).toThrow('no local model that supports tools');
  });

  it('leaves a sensitive call to a model that is already local unchanged, in both modes', () => {
    const local = model('ollama/qwen3', true);
    for (const mode of ['local', 'mask'] as const) {
      const hybrid = policy({ mode });
      const prompt = sensitivePrompt();
      const prepared = hybrid.prepare({ agent: agent(), model: local, prompt });
      expect(prepared).toEqual({ model: local, prompt });
      expect(hybrid.stats()).toMatchObject({ sensitive: 1, rerouted: 0, masked: 0 });
    }
  });
});

/** Prepares an inner team with the topologies this test knows (the lead passes the registry's prepareTeam). */
function prepareInner(team: TeamSpec): { topology: Topology<unknown>; options: unknown; team: TeamSpec } {
  if (team.topology !== 'sequential') {
    throw new AgentdError({ code: 'topology.unknown', message: `unknown topology '${team.topology}'` });
  }
  if (team.agents.length > 2) {
    throw new AgentdError({
      code: 'topology.invalid_team',
      message: 'sequential: at most 2 agents here',
      details: { topology: 'sequential' },
    });
  }
  return {
    topology: sequentialTopology as Topology<unknown>,
    options: sequentialTopology.options.parse(team.options),
    team,
  };
}

const hybridTopology = createHybridTopology(prepareInner);

function hybridTeam(options: Record<string, unknown>, names = ['writer', 'editor']): TeamSpec {
  return TeamSpecSchema.parse({ topology: 'hybrid', agents: names.map((name) => ({ name })), options });
}

describe('hybrid topology', () => {
  it('needs an inner topology other than hybrid; local mode, every PII kind and no rules by default', () => {
    expect(hybridTopology.options.parse({ inner: 'sequential' })).toEqual({
      inner: 'sequential',
      innerOptions: {},
      mode: 'local',
      detect: [...PII_KINDS],
      rules: [],
    });
    expect(() => hybridTopology.options.parse({})).toThrow();
    expect(() => hybridTopology.options.parse({ inner: 'hybrid' })).toThrow();
    expect(() => hybridTopology.options.parse({ inner: 'sequential', detect: ['shoe-size'] })).toThrow();
  });

  it('validates the inner team with its own options, naming the inner topology in errors', () => {
    const seen: TeamSpec[] = [];
    const recording = createHybridTopology((team) => {
      seen.push(team);
      return prepareInner(team);
    });
    const team = hybridTeam({ inner: 'sequential', innerOptions: { handoff: 'all' } });
    recording.validate(team, recording.options.parse(team.options));
    expect(seen[0]).toMatchObject({
      topology: 'sequential',
      options: { handoff: 'all' },
      agents: team.agents,
    });

    const big = hybridTeam({ inner: 'sequential' }, ['a', 'b', 'c']);
    expect(() => hybridTopology.validate(big, hybridTopology.options.parse(big.options))).toThrow(
      expect.objectContaining({
        code: 'topology.invalid_team',
        message: "hybrid (inner topology 'sequential'): sequential: at most 2 agents here",
      }),
    );
  });

  it('rejects a rule with an invalid or empty-matching pattern, and duplicate rule names, naming the rule', () => {
    const check = (rules: unknown) => {
      const team = hybridTeam({ inner: 'sequential', rules });
      hybridTopology.validate(team, hybridTopology.options.parse(team.options));
    };
    expect(() => check([{ name: 'broken', pattern: '([a-z' }])).toThrow(
      "hybrid: rule 'broken' has an invalid pattern",
    );
    expect(() => check([{ name: 'greedy', pattern: 'x*' }])).toThrow(
      "hybrid: rule 'greedy' matches empty text",
    );
    expect(() => check([...RULES, ...RULES])).toThrow("hybrid: rule name 'codename' is used twice");
    expect(() => check(RULES)).not.toThrow();
  });

  it('runs the inner topology under the policy and reports what the policy did', async () => {
    const fake = createFakeTopologyContext({
      prompt: `Email ${EMAIL} about ${CODENAME}.`,
      answer: (a) => `${a} done`,
    });
    const sent: string[] = [];
    let installed: CallPolicy | undefined;
    // Stands in for the runtime: every agent call of the policy's context passes policy.prepare first.
    const ctx = {
      ...fake,
      withCallPolicy(policy: CallPolicy) {
        installed = policy;
        return {
          ...fake,
          async runAgent(spec: AgentSpec, input: { prompt: string }) {
            const prompt: LanguageModelV3Prompt = [
              { role: 'user', content: [{ type: 'text', text: input.prompt }] },
            ];
            sent.push(JSON.stringify(policy.prepare({ agent: spec, model: CLOUD, prompt }).prompt));
            return fake.runAgent(spec, input);
          },
        };
      },
    };
    const team = hybridTeam({ inner: 'sequential', mode: 'mask', rules: RULES });
    const options = hybridTopology.options.parse(team.options);
    hybridTopology.validate(team, options);
    const result = await hybridTopology.run(team, options, ctx);

    expect(installed).toBeDefined();
    expect(result.output).toBe('editor done');
    expect(sent).toHaveLength(2);
    for (const body of sent) {
      expect(body).not.toContain(EMAIL);
      expect(body).not.toContain(CODENAME);
    }
    expect(result.details).toEqual({
      inner: 'sequential',
      mode: 'mask',
      policy: {
        calls: 2,
        sensitive: 2,
        rerouted: 0,
        masked: 2,
        maskedValues: 4,
        found: ['email', 'rule:codename'],
        routedTo: [],
      },
      innerDetails: null,
    });
  });
});
