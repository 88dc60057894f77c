import type { AgentSpec, TeamSpec, TopologyName } from '../../agents/index.js';

/** A team of one topology for the conformance suite, with what it does under the scripted team model. */
export interface TopologyFixture {
  /** A valid team whose agents each have a distinct role (so their system prompt names them). */
  team: TeamSpec;
  /** A team of the wrong shape for this topology: refused before any model call. */
  invalid: TeamSpec;
  /** Model calls one run of `team` makes with the team model (see teamModelAnswer). */
  calls: number;
  /**
   * Calls that have all finished before the next one starts (a phase boundary of the run): cancellation,
   * budget and crash cases stop the run there, so which steps completed is known exactly.
   */
  checkpoint: number;
  /** Part of the run's details showing it ended the way the team model drives it (when it has details). */
  details?: Record<string, unknown>;
}

function agent(name: string, role: string, fields: Partial<AgentSpec> = {}): AgentSpec {
  return { name, role, tools: [], ...fields };
}

function team(topology: TopologyName, agents: AgentSpec[], options: Record<string, unknown> = {}): TeamSpec {
  return { name: `${topology}-team`, topology, agents, options };
}

/** One fixture per shipped topology; the suite fails for a registered topology without one. */
export const topologyFixtures: Readonly<Record<string, TopologyFixture>> = {
  single: {
    team: team('single', [agent('solo', 'a generalist')]),
    invalid: team('single', [agent('solo', 'a generalist'), agent('extra', 'a second opinion')]),
    calls: 1,
    checkpoint: 0,
  },
  sequential: {
    team: team('sequential', [
      agent('drafter', 'a first-draft writer'),
      agent('editor', 'an editor'),
      agent('proofreader', 'a proofreader'),
    ]),
    invalid: team('sequential', [agent('drafter', 'a first-draft writer')], { handoff: 'everything' }),
    calls: 3,
    checkpoint: 2,
  },
  parallel: {
    team: team(
      'parallel',
      [
        agent('analyst', 'an analyst'),
        agent('researcher', 'a researcher'),
        agent('synthesizer', 'a synthesizer'),
      ],
      { merge: 'synthesize', aggregator: 'synthesizer' },
    ),
    invalid: team('parallel', [agent('analyst', 'an analyst'), agent('researcher', 'a researcher')], {
      merge: 'synthesize',
    }),
    calls: 3,
    checkpoint: 2,
    details: { merge: 'synthesize', aggregator: 'synthesizer' },
  },
  hierarchical: {
    team: team('hierarchical', [
      agent('manager', 'an engineering manager'),
      agent('coder', 'a programmer'),
      agent('tester', 'a tester'),
    ]),
    invalid: team('hierarchical', [agent('manager', 'an engineering manager')]),
    // Plan, two subtasks in parallel, final answer.
    calls: 4,
    checkpoint: 3,
    details: { endedBy: 'final', rounds: 1 },
  },
  dag: {
    team: team('dag', [
      agent('planner', 'a planner'),
      agent('left', 'a frontend developer', { dependsOn: ['planner'] }),
      agent('right', 'a backend developer', { dependsOn: ['planner'] }),
      agent('joiner', 'an integrator', { dependsOn: ['left', 'right'] }),
    ]),
    invalid: team('dag', [
      agent('planner', 'a planner', { dependsOn: ['joiner'] }),
      agent('joiner', 'an integrator', { dependsOn: ['planner'] }),
    ]),
    calls: 4,
    checkpoint: 3,
    details: { output: 'joiner' },
  },
  debate: {
    team: team('debate', [
      agent('optimist', 'an optimist'),
      agent('pessimist', 'a pessimist'),
      agent('judge', 'an impartial judge'),
    ]),
    invalid: team('debate', [agent('optimist', 'an optimist'), agent('judge', 'an impartial judge')]),
    // Two independent answers, one revision round, the judge finds agreement.
    calls: 5,
    checkpoint: 4,
    details: { endedBy: 'judge', rounds: 1 },
  },
  mesh: {
    team: team('mesh', [
      agent('alice', 'a designer'),
      agent('bob', 'a developer'),
      agent('carol', 'a product owner'),
    ]),
    invalid: team('mesh', [agent('alice', 'a designer')]),
    // Round 1: alice messages bob; round 2: bob gives the final answer.
    calls: 6,
    checkpoint: 3,
    details: { endedBy: 'final', finalBy: 'bob', rounds: 2, messages: 1 },
  },
  star: {
    team: team('star', [
      agent('hub', 'a coordinator'),
      agent('expert', 'a domain expert'),
      agent('skeptic', 'a skeptic'),
    ]),
    invalid: team('star', [agent('hub', 'a coordinator')]),
    // The hub consults the expert, then answers.
    calls: 3,
    checkpoint: 2,
    details: { endedBy: 'answer' },
  },
  grid: {
    team: team(
      'grid',
      [
        agent('north', 'a northern cell'),
        agent('south', 'a southern cell'),
        agent('referee', 'an aggregator'),
      ],
      { aggregator: 'referee', maxRounds: 2 },
    ),
    invalid: team('grid', [agent('north', 'a northern cell'), agent('south', 'a southern cell')], {
      columns: 5,
    }),
    calls: 5,
    checkpoint: 2,
    details: { result: 'aggregator', rounds: 2 },
  },
  forest: {
    team: team('forest', [
      agent('lead', 'a team lead'),
      agent('scout', 'a scout', { parent: 'lead' }),
      agent('mapper', 'a cartographer', { parent: 'lead' }),
    ]),
    // Two trees (lead and scout are both roots) and no aggregator to merge them.
    invalid: team('forest', [
      agent('lead', 'a team lead'),
      agent('scout', 'a scout'),
      agent('mapper', 'a cartographer', { parent: 'lead' }),
    ]),
    calls: 3,
    checkpoint: 2,
    details: { roots: ['lead'], failures: [] },
  },
  circular: {
    team: team('circular', [
      agent('sketcher', 'a sketcher'),
      agent('refiner', 'a refiner'),
      agent('polisher', 'a polisher'),
    ]),
    invalid: team('circular', [agent('sketcher', 'a sketcher')]),
    // Every answer changes the text, so the ring makes both passes.
    calls: 6,
    checkpoint: 3,
    details: { passes: 2, endedBy: 'max-passes' },
  },
  'mixture-of-agents': {
    team: team('mixture-of-agents', [
      agent('oracle', 'a proposer'),
      agent('sage', 'another proposer'),
      agent('blender', 'an aggregator'),
    ]),
    invalid: team('mixture-of-agents', [agent('blender', 'an aggregator')]),
    calls: 5,
    checkpoint: 2,
    details: { layers: 2, aggregator: 'blender' },
  },
  maker: {
    team: team('maker', [
      agent('author', 'a maker'),
      agent('linter', 'a style checker'),
      agent('reviewer', 'a reviewer'),
    ]),
    invalid: team(
      'maker',
      [agent('author', 'a maker'), agent('linter', 'a style checker'), agent('reviewer', 'a reviewer')],
      {
        quorum: 3,
      },
    ),
    // Artifact, two rejections, revision, two approvals.
    calls: 6,
    checkpoint: 3,
    details: { approved: true, rounds: 2 },
  },
  hybrid: {
    team: team(
      'hybrid',
      [agent('clerk', 'a billing clerk'), agent('auditor', 'an auditor'), agent('writer', 'a letter writer')],
      { inner: 'sequential', mode: 'mask' },
    ),
    invalid: team('hybrid', [agent('clerk', 'a billing clerk'), agent('auditor', 'an auditor')], {
      inner: 'single',
      mode: 'mask',
    }),
    calls: 3,
    checkpoint: 2,
    details: { inner: 'sequential', mode: 'mask', policy: { calls: 3, sensitive: 0 } },
  },
};
