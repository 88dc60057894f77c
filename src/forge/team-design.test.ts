import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import { TeamDesignSchema, toTeamSpec } from './team-design.js';
import type { TeamDesign } from './team-design.js';

const design: TeamDesign = {
  topology: 'single',
  options: {},
  agents: [{ name: 'assistant', role: 'Assistant', instructions: 'Answer.', tools: [] }],
  rationale: 'A simple task.',
};

describe('team design schema', () => {
  it('describes every field in the JSON schema the model is sent', () => {
    const schema = z.toJSONSchema(TeamDesignSchema, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
      required: string[];
    };
    for (const [field, property] of Object.entries(schema.properties)) {
      expect(property.description, field).toBeTruthy();
    }
    expect(schema.required).toEqual(['topology', 'agents', 'rationale']);
    const agent = (
      schema.properties['agents'] as unknown as {
        items: { properties: Record<string, { description?: string }> };
      }
    ).items;
    for (const [field, property] of Object.entries(agent.properties)) {
      expect(property.description, `agents[].${field}`).toBeTruthy();
    }
  });

  it('refuses a rubric with two criteria of one name', () => {
    const parsed = TeamDesignSchema.safeParse({
      ...design,
      rubric: {
        criteria: [
          { name: 'clarity', description: 'Reads well.', weight: 1 },
          { name: 'clarity', description: 'Is short.', weight: 1 },
        ],
        threshold: 0.5,
      },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("criterion name 'clarity' is used twice");
  });

  it('keeps the fields of a check it does not know', () => {
    const parsed = TeamDesignSchema.parse({ ...design, checks: [{ type: 'regex', pattern: '^#' }] });
    expect(parsed.checks).toEqual([{ type: 'regex', pattern: '^#' }]);
  });
});

describe('toTeamSpec', () => {
  it('makes a team spec with the given name, leaving out rubric, checks and rationale', () => {
    const team = toTeamSpec(
      { ...design, rubric: { criteria: [{ name: 'a', description: 'b', weight: 1 }], threshold: 0.5 } },
      'solo',
    );
    expect(team).toEqual({ name: 'solo', topology: 'single', options: {}, agents: design.agents });
  });

  it('throws forge.invalid_design when the design is not a valid team spec', () => {
    const broken = {
      ...design,
      agents: [{ ...design.agents[0], requirements: { tools: true, kind: 'Not A Kind' } }],
    } as TeamDesign;
    try {
      toTeamSpec(broken, 'solo');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AgentdError);
      expect((error as AgentdError).code).toBe('forge.invalid_design');
      expect((error as AgentdError).message).toContain('agents[0].requirements.kind');
    }
  });
});
