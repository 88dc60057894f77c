import { describe, expect, it } from 'vitest';
import type { AgentSpec, TeamSpec } from '../agents/index.js';
import { createFakeTopologyContext } from '../testing/fake-topology-context.js';
import { starTopology } from './star.js';

const agent = (name: string, role?: string): AgentSpec => ({ name, tools: [], ...(role ? { role } : {}) });

const team = (agents: AgentSpec[], options: Record<string, unknown> = {}): TeamSpec => ({
  name: 'team',
  topology: 'star',
  agents,
  options,
});

const TASK = 'Plan a trip to Lisbon.';

/** An agent that plays its turns in order, repeating the last one. */
function script(turns: unknown[]): () => string {
  let turn = 0;
  return () => JSON.stringify(turns[Math.min(turn++, turns.length - 1)]);
}

async function run(
  agents: AgentSpec[],
  options: Record<string, unknown>,
  answer: (agent: string, prompt: string) => string | Promise<string>,
) {
  const spec = team(agents, options);
  const parsed = starTopology.options.parse(spec.options);
  starTopology.validate(spec, parsed);
  const ctx = createFakeTopologyContext({ prompt: TASK, answer });
  const result = await starTopology.run(spec, parsed, ctx);
  return { result, calls: ctx.calls };
}

describe('star topology', () => {
  it('needs at least one spoke besides the hub', () => {
    expect(() => starTopology.validate(team([agent('hub')]), starTopology.options.parse({}))).toThrow(
      'star: needs at least 1 spoke besides the hub, the team has 0',
    );
  });

  it('rejects a hub option naming no agent of the team', () => {
    const spec = team([agent('a'), agent('b')], { hub: 'center' });
    expect(() => starTopology.validate(spec, starTopology.options.parse(spec.options))).toThrow(
      /options\.hub names 'center'/,
    );
  });

  it('defaults to 3 consultations and rejects unknown options', () => {
    expect(starTopology.options.parse({})).toEqual({ maxConsultations: 3 });
    expect(() => starTopology.options.parse({ rounds: 1 })).toThrow();
  });

  it('asks the chosen spokes in parallel, each seeing only the task and its own question, then answers', async () => {
    const hub = script([
      {
        consult: [
          { spoke: 'flights', question: 'Cheapest flight in May?' },
          { spoke: 'hotels', question: 'A quiet hotel in Alfama?' },
        ],
      },
      { answer: 'Fly on the 3rd, stay at Casa.' },
    ]);
    const { result, calls } = await run(
      [agent('hub'), agent('flights', 'Flight expert'), agent('hotels'), agent('food')],
      {},
      (name) => (name === 'hub' ? hub() : name === 'flights' ? 'TAP, 120 EUR' : 'Casa Alfama'),
    );

    expect(result.output).toBe('Fly on the 3rd, stay at Casa.');
    expect(calls.map((c) => c.agent)).toEqual(['hub', 'flights', 'hotels', 'hub']);
    const [first, flights, hotels, second] = calls;
    expect(first?.prompt).toContain(TASK);
    expect(first?.prompt).toContain('- flights (Flight expert)\n- hotels\n- food');
    expect(flights?.prompt).toContain(TASK);
    expect(flights?.prompt).toContain('--- Question from hub ---\nCheapest flight in May?');
    expect(flights?.prompt).not.toContain('Alfama');
    expect(hotels?.prompt).not.toContain('Cheapest flight');
    expect(flights?.scope).not.toBe(hotels?.scope);
    expect(second?.prompt).toContain('TAP, 120 EUR');
    expect(second?.prompt).toContain('Casa Alfama');
    expect(result.details).toMatchObject({
      hub: 'hub',
      endedBy: 'answer',
      consultations: [
        {
          round: 1,
          asked: [
            { spoke: 'flights', question: 'Cheapest flight in May?', ok: true },
            { spoke: 'hotels', question: 'A quiet hotel in Alfama?', ok: true },
          ],
          unknownSpokes: [],
        },
      ],
      failures: [],
    });
  });

  it('tells the hub which spoke names are unknown, without asking anyone for them', async () => {
    const hub = script([
      { consult: [{ spoke: 'trains', question: 'Train times?' }] },
      { answer: 'No trains then.' },
    ]);
    const { result, calls } = await run([agent('hub'), agent('flights')], {}, (name) =>
      name === 'hub' ? hub() : 'unused',
    );
    expect(calls.map((c) => c.agent)).toEqual(['hub', 'hub']);
    expect(calls[1]?.prompt).toContain("'trains' is not a spoke of this team; nobody was asked");
    expect(result.details).toMatchObject({
      consultations: [{ round: 1, asked: [], unknownSpokes: ['trains'] }],
    });
  });

  it('reports a failed spoke to the hub and in the details', async () => {
    const hub = script([
      {
        consult: [
          { spoke: 'flights', question: 'Flights?' },
          { spoke: 'hotels', question: 'Hotels?' },
        ],
      },
      { answer: 'Hotel only.' },
    ]);
    const { result, calls } = await run([agent('hub'), agent('flights'), agent('hotels')], {}, (name) => {
      if (name === 'hub') return hub();
      if (name === 'flights') throw new Error('rate limited');
      return 'Casa';
    });
    expect(result.output).toBe('Hotel only.');
    expect(calls[3]?.prompt).toContain('Consultation 1: flights FAILED');
    expect(calls[3]?.prompt).toContain('rate limited');
    expect(result.details).toMatchObject({
      failures: [{ round: 1, spoke: 'flights', error: 'rate limited' }],
    });
  });

  it('makes the hub answer after maxConsultations, showing every consultation', async () => {
    const hub = script([
      { consult: [{ spoke: 'flights', question: 'First?' }] },
      { consult: [{ spoke: 'flights', question: 'Second?' }] },
      { answer: 'Final.' },
    ]);
    const { result, calls } = await run(
      [agent('hub'), agent('flights')],
      { maxConsultations: 2 },
      (name, prompt) =>
        name === 'hub' ? hub() : `reply to ${prompt.includes('First?') ? 'first' : 'second'}`,
    );
    expect(calls.map((c) => c.agent)).toEqual(['hub', 'flights', 'hub', 'flights', 'hub']);
    expect(calls[2]?.prompt).toContain('1 consultation left');
    const last = calls[4]?.prompt ?? '';
    expect(last).toContain('No consultations are left');
    expect(last).toContain('reply to first');
    expect(last).toContain('reply to second');
    expect(result.output).toBe('Final.');
    expect(result.details).toMatchObject({ endedBy: 'max-consultations' });
  });

  it('takes the answer when the hub gives both an answer and questions', async () => {
    const { result, calls } = await run([agent('hub'), agent('flights')], {}, () =>
      JSON.stringify({ answer: 'Now.', consult: [{ spoke: 'flights', question: 'Later?' }] }),
    );
    expect(result.output).toBe('Now.');
    expect(calls).toHaveLength(1);
  });

  it('fails the run when the hub gives neither an answer nor questions', async () => {
    await expect(
      run([agent('hub'), agent('flights')], {}, () => JSON.stringify({ consult: [] })),
    ).rejects.toThrow(/give either .*answer.* or at least one spoke to consult/);
  });

  it('uses the agent named by the hub option as hub', async () => {
    const hub = script([{ consult: [{ spoke: 'first', question: 'Q?' }] }, { answer: 'A.' }]);
    const { calls } = await run([agent('first'), agent('center')], { hub: 'center' }, (name) =>
      name === 'center' ? hub() : 'reply',
    );
    expect(calls.map((c) => c.agent)).toEqual(['center', 'first', 'center']);
  });
});
