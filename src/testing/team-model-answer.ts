// A scripted "team model" for topology tests: one deterministic answer function that plays every agent of
// every shipped topology, for the in-process fake model and for the fake OpenAI server alike, so the same
// team gives the same answers whichever way its calls travel.
import { createHash } from 'node:crypto';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { sampleFromJsonSchema } from '../models/providers/simulated/json-schema-sample.js';
import type { FakeCall, FakeTurn } from './fake-language-model.js';
import type { FakeChatMessage, FakeReply, RecordedRequest } from './fake-openai-server.js';

/** One model call reduced to what the team model answers from. */
export interface TeamModelRequest {
  /** The agent's name, read from its system prompt (`You are <name>, <role>.`); undefined without one. */
  agent: string | undefined;
  /** The last user message: the agent's input (the task, labelled sections, the instruction). */
  prompt: string;
  /** Whether the call asks for a JSON answer. */
  json: boolean;
  /** The JSON schema of the answer when the call carries one (the OpenAI `json_object` format does not). */
  schema?: unknown;
}

/**
 * The structured answers the topologies ask for, by the key that identifies them (first match wins):
 * mesh replies, hierarchical plans, star decisions, maker reviews, debate checks and rulings, star and
 * hierarchical final answers.
 */
const STRUCTURES = [
  'messages',
  'subtasks',
  'consult',
  'approve',
  'agreed',
  'decision',
  'answer',
  'final',
] as const;

type Structure = (typeof STRUCTURES)[number];

/**
 * The team model's answer to one call; it depends only on the agent and its input. Text answers are
 * `<agent>: <keyword of the task> #<digest of the input>`, so outputs carry the task they belong to.
 * Structured answers drive each topology to an end: a hierarchical manager plans one subtask for each of
 * its first two workers, then gives the final answer; a star hub consults its first spoke, then answers;
 * maker checkers approve from the second version on; a debate judge finds agreement and decides; in a
 * mesh the first agent (by name) messages the second in round 1, and an agent that received a message
 * gives the final answer. Other schemas get a sample value valid against them.
 */
export function teamModelAnswer(request: TeamModelRequest): string {
  const text = textAnswer(request);
  if (!request.json && request.schema === undefined) return text;
  const structure = structureOf(request);
  if (!structure)
    return JSON.stringify(request.schema === undefined ? {} : sampleFromJsonSchema(request.schema));
  return JSON.stringify(structuredAnswer(structure, request, text));
}

/** The team model as a fake-model script: `createTestRuntime({ script: teamModelTurn })`. */
export function teamModelTurn(call: FakeCall): FakeTurn {
  return { text: teamModelAnswer(teamModelRequestOfCall(call)) };
}

/** The team model as a fake OpenAI server script: `startFakeOpenAIServer({ script: teamModelReply })`. */
export function teamModelReply(request: RecordedRequest): FakeReply {
  return { text: teamModelAnswer(teamModelRequestOfHttp(request)) };
}

/** A call to the in-process fake model, as the team model sees it. */
export function teamModelRequestOfCall(call: FakeCall): TeamModelRequest {
  const { prompt, responseFormat } = call.options;
  const system = prompt.find((m) => m.role === 'system');
  return {
    agent: agentOf(system?.role === 'system' ? system.content : ''),
    prompt: lastUserText(prompt),
    json: responseFormat?.type === 'json',
    ...(responseFormat?.type === 'json' && responseFormat.schema ? { schema: responseFormat.schema } : {}),
  };
}

/** A chat-completions request to the fake OpenAI server, as the team model sees it. */
export function teamModelRequestOfHttp(request: RecordedRequest): TeamModelRequest {
  const messages = request.body?.messages ?? [];
  const system = messages.find((m) => m.role === 'system');
  const user = [...messages].reverse().find((m) => m.role === 'user');
  const format = request.body?.['response_format'] as
    { type?: string; json_schema?: { schema?: unknown } } | undefined;
  const schema = format?.json_schema?.schema;
  return {
    agent: agentOf(contentText(system)),
    prompt: contentText(user),
    json: format?.type === 'json_object' || format?.type === 'json_schema',
    ...(schema !== undefined ? { schema } : {}),
  };
}

/**
 * A stable identity for a call: the agent and a digest of its input. Within one run of a team no two
 * calls share it, so counting signatures shows which steps were asked again (e.g. after a crash).
 */
export function teamModelSignature(request: TeamModelRequest): string {
  return `${request.agent ?? '-'}:${createHash('sha256').update(request.prompt).digest('hex').slice(0, 16)}`;
}

function textAnswer(request: TeamModelRequest): string {
  return `${request.agent ?? 'assistant'}: ${topicOf(request.prompt)} #${digest(request.prompt)}`;
}

/**
 * The keyword of the task an input starts with (inputs are the task, or `Task:\n<task>` and sections):
 * the last word of its first line. Only a keyword, so an echoed answer never passes for the task itself.
 */
function topicOf(prompt: string): string {
  const task = prompt.startsWith('Task:\n') ? prompt.slice('Task:\n'.length) : prompt;
  return (task.split('\n')[0] ?? '').trim().split(/\s+/).at(-1) ?? '';
}

/** Eight letters from a hash of the text: no digits, so no PII detector mistakes it for a number. */
function digest(text: string): string {
  return [...createHash('sha256').update(text).digest('hex').slice(0, 8)]
    .map((hex) => String.fromCharCode(97 + Number.parseInt(hex, 16)))
    .join('');
}

function structureOf(request: TeamModelRequest): Structure | undefined {
  const keys = schemaKeys(request.schema) ?? keysAskedFor(request.prompt);
  return STRUCTURES.find((key) => keys.has(key));
}

function schemaKeys(schema: unknown): Set<string> | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const properties = (schema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return undefined;
  return new Set(Object.keys(properties));
}

/** Without a schema (OpenAI `json_object`): the keys that open the JSON objects the instruction shows. */
function keysAskedFor(prompt: string): Set<string> {
  return new Set([...prompt.matchAll(/\{\s*"([A-Za-z]+)"/g)].map((m) => m[1] ?? ''));
}

function structuredAnswer(structure: Structure, request: TeamModelRequest, text: string): unknown {
  const { prompt } = request;
  const who = request.agent ?? 'assistant';
  switch (structure) {
    case 'messages':
      return meshReply(who, prompt, text);
    case 'subtasks': {
      if (prompt.includes('\n--- Round ')) return { final: text };
      const workers = rosterOf(prompt, 'Workers').slice(0, 2);
      if (workers.length === 0) return { final: text };
      return {
        subtasks: workers.map((worker, index) => ({
          id: `part-${index + 1}`,
          assignee: worker,
          instruction: `Do part ${index + 1} of: ${topicOf(prompt)}`,
        })),
      };
    }
    case 'consult': {
      const [spoke] = rosterOf(prompt, 'Spokes');
      if (prompt.includes('\n--- Consultation ') || !spoke) return { answer: text };
      return { consult: [{ spoke, question: `What matters most for: ${topicOf(prompt)}?` }] };
    }
    case 'approve': {
      const version = Number(/Artifact to check \(version (\d+)\)/.exec(prompt)?.[1] ?? '1');
      return version >= 2
        ? { approve: true, issues: [] }
        : { approve: false, issues: [`${who}: add detail`] };
    }
    case 'agreed':
      return { agreed: true, decision: text, rationale: `${who} found the answers agree` };
    case 'decision':
      return { decision: text, rationale: `${who} weighed the answers` };
    case 'answer':
      return { answer: text };
    case 'final':
      return { final: text };
  }
}

/** Mesh: round 1, the first agent by name messages the second; whoever received a message answers. */
function meshReply(agent: string, prompt: string, text: string): unknown {
  if (prompt.includes('\n--- Message from ')) return { messages: [], final: text };
  const header = /You are (\S+), working with (.*)\. Round (\d+) of at most/.exec(prompt);
  if (!header || header[3] !== '1') return { messages: [] };
  const teammates = (header[2] ?? '').split(', ').map((entry) => entry.replace(/ \(.*\)$/, ''));
  const [first, second] = [agent, ...teammates].sort();
  return first === agent && second ? { messages: [{ to: second, content: text }] } : { messages: [] };
}

/** The agent names of a roster section (`--- Workers ---` then `- name (role)` lines). */
function rosterOf(prompt: string, label: string): string[] {
  const start = prompt.indexOf(`--- ${label} ---\n`);
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of prompt.slice(start + label.length + 9).split('\n')) {
    const match = /^- (\S+)/.exec(line);
    if (!match) break;
    names.push(match[1] ?? '');
  }
  return names;
}

function agentOf(system: string): string | undefined {
  return /^You are ([^,\s]+),/.exec(system)?.[1];
}

function lastUserText(prompt: LanguageModelV3Prompt): string {
  const user = [...prompt].reverse().find((m) => m.role === 'user');
  if (user?.role !== 'user') return '';
  return user.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

function contentText(message: FakeChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).flatMap((part) => (part.text === undefined ? [] : [part.text])).join('\n');
}
