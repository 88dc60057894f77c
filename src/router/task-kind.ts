import { z } from 'zod';
import { fnv1a } from '../core/hash.js';

/** One task kind: a name, keywords that signal it, and example prompts whose centroid is its prototype. */
export const TaskKindDefinitionSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, { message: 'must be lower-case letters, digits, - or _' }),
  keywords: z.array(z.string().min(1)).default([]),
  examples: z.array(z.string().min(1)).default([]),
});

/** A task kind's definition. */
export type TaskKindDefinition = z.infer<typeof TaskKindDefinitionSchema>;

/** The classifier's answer: the kind, how sure it is, and every kind's score (all 0–1). */
export interface TaskKindResult {
  kind: string;
  confidence: number;
  scores: Record<string, number>;
}

/** Assigns a task kind to a prompt without calling a model. */
export interface TaskKindClassifier {
  readonly kinds: readonly string[];
  classify(text: string): TaskKindResult;
}

/** The shipped kinds. `chat` is the fallback and needs no signals of its own to win. */
export const DEFAULT_TASK_KINDS: readonly TaskKindDefinition[] = [
  {
    name: 'code',
    keywords: [
      'code',
      'function',
      'class',
      'method',
      'bug',
      'debug',
      'compile',
      'compiler',
      'stack trace',
      'exception',
      'refactor',
      'unit test',
      'typescript',
      'javascript',
      'python',
      'java',
      'rust',
      'golang',
      'c++',
      'sql query',
      'regex',
      'api endpoint',
      'implement',
      'script',
      'repository',
      'pull request',
      'npm',
      'dockerfile',
      'algorithm',
    ],
    examples: [
      'Write a TypeScript function that debounces another function',
      'Fix the bug in this Python script that crashes on empty input',
      'Refactor this class to use dependency injection',
      'Why does this code throw a null pointer exception',
      'Implement a REST API endpoint that returns the list of users',
      'Write unit tests for the parser module',
      'Write a SQL query that joins orders and customers',
      'Convert this JavaScript code to Rust',
      'Implement quicksort in Go',
      'Review this pull request and point out problems in the code',
    ],
  },
  {
    name: 'math',
    keywords: [
      'solve',
      'equation',
      'integral',
      'derivative',
      'calculate',
      'compute',
      'probability',
      'proof',
      'prove',
      'theorem',
      'algebra',
      'geometry',
      'matrix',
      'percent',
      'percentage',
      'sum of',
      'how many',
      'formula',
      'arithmetic',
      'statistics',
      'variance',
    ],
    examples: [
      'Solve for x: 3x + 7 = 22',
      'What is the derivative of x squared times sine x',
      'Compute the integral of 1 over x from 1 to e',
      'Prove that the square root of 2 is irrational',
      'What is the probability of rolling two sixes with two dice',
      'A train travels 120 km in 1.5 hours, what is its average speed',
      'Calculate 15 percent of 240',
      'Find the eigenvalues of this matrix',
      'How many ways can 5 people sit around a round table',
    ],
  },
  {
    name: 'extraction',
    keywords: [
      'extract',
      'parse',
      'pull out',
      'list all',
      'find all',
      'as json',
      'json',
      'fields',
      'entities',
      'named entities',
      'table',
      'csv',
      'structured',
      'email addresses',
      'phone numbers',
      'dates',
      'invoice',
    ],
    examples: [
      'Extract all email addresses and dates from this text as JSON',
      'Pull out the names of every person and company mentioned',
      'Parse this invoice and return the vendor, total and due date',
      'List all product names and prices in this page as a table',
      'Return the fields name, age and city from each record as JSON',
      'Find all phone numbers in the following document',
      'Extract the named entities from this news article',
    ],
  },
  {
    name: 'summarisation',
    keywords: [
      'summarise',
      'summarize',
      'summary',
      'tl;dr',
      'tldr',
      'key points',
      'main points',
      'bullet points',
      'condense',
      'shorten',
      'recap',
      'gist',
      'abstract',
      'overview of this',
    ],
    examples: [
      'Summarise this article in three bullet points',
      'Give me a short summary of the meeting notes below',
      'TL;DR of this thread please',
      'Condense this report into one paragraph',
      'What are the key points of this paper',
      'Write an executive summary of the following document',
      'Recap the main arguments of this essay',
    ],
  },
  {
    name: 'writing',
    keywords: [
      'write a story',
      'story',
      'poem',
      'haiku',
      'essay',
      'blog post',
      'article',
      'cover letter',
      'email to',
      'draft',
      'rewrite',
      'tone',
      'slogan',
      'tagline',
      'lyrics',
      'creative',
      'copy',
      'newsletter',
      'speech',
      'proofread',
      'paraphrase',
    ],
    examples: [
      'Write a short story about a lighthouse keeper',
      'Draft a cover letter for a data analyst position',
      'Write a haiku about tides',
      'Write a blog post about remote work',
      'Rewrite this paragraph in a friendlier tone',
      'Draft an email to a client apologising for the delay',
      'Write a product description for a steel water bottle',
      'Compose a wedding speech for my brother',
      'Proofread this text and improve the wording',
    ],
  },
  {
    name: 'reasoning',
    keywords: [
      'step by step',
      'trade-off',
      'trade-offs',
      'tradeoffs',
      'pros and cons',
      'should we',
      'should i',
      'compare',
      'evaluate',
      'decide',
      'decision',
      'analyse',
      'analyze',
      'why',
      'plan',
      'strategy',
      'weigh',
      'implications',
      'reason',
      'logic',
      'puzzle',
      'root cause',
    ],
    examples: [
      'Should we migrate to Postgres? Weigh the trade-offs step by step',
      'Compare microservices and a monolith for a team of five',
      'What are the pros and cons of raising prices now',
      'Plan a migration strategy for moving our data centre to the cloud',
      'Analyse why our sign-ups dropped last month and suggest causes',
      'If all bloops are razzies and some razzies are lazzies, are some bloops lazzies',
      'Evaluate these three vendors and recommend one',
      'Think through the implications of this policy change',
    ],
  },
  {
    name: 'chat',
    keywords: ['hello', 'hi', 'hey', 'thanks', 'thank you', 'how are you', 'good morning', 'chat', 'joke'],
    examples: [
      'hi, how are you?',
      'Hello there',
      'Thanks for your help',
      'Tell me a joke',
      'What is your name',
      'Good morning',
      'What can you do',
    ],
  },
];

/** Options of {@link createTaskKindClassifier}. */
export interface TaskKindClassifierOptions {
  /** From config: a definition with a shipped kind's name replaces it; new names are added. */
  kinds?: readonly TaskKindDefinition[];
  /** The kind when nothing scores (default `chat`). */
  fallback?: string;
}

// Only the start of a prompt is read: the ask is almost always there, and prompts can be huge.
const MAX_CHARS = 4000;
// Feature-hashed vector size: large enough that word collisions between kinds are rare.
const DIMENSIONS = 1024;
// The keyword score saturates: 1 − e^(−matches/2), so 1 match ≈ 0.39, 3 ≈ 0.78.
const KEYWORD_SCALE = 2;
// Keywords are the stronger signal; the prototype similarity breaks ties and catches paraphrases.
const KEYWORD_WEIGHT = 0.65;
const PROTOTYPE_WEIGHT = 0.35;
// Below this combined score, no kind is signalled and the fallback is returned.
const FLOOR = 0.12;

interface CompiledKind {
  name: string;
  keywords: RegExp | undefined;
  prototype: Float32Array | undefined;
}

/**
 * A keyword and prototype classifier. The prototype of a kind is the normalised centroid of its
 * examples' hashed bag-of-words vectors; a prompt's similarity to it is a cosine. No embedding model
 * is needed (none ships offline yet), and classification takes microseconds.
 */
export function createTaskKindClassifier(options: TaskKindClassifierOptions = {}): TaskKindClassifier {
  const fallback = options.fallback ?? 'chat';
  const definitions = new Map(DEFAULT_TASK_KINDS.map((k) => [k.name, k]));
  for (const kind of options.kinds ?? []) definitions.set(kind.name, kind);
  // Compiled on first use: hashing every example costs ~20 ms, which start-up should not pay.
  let compiled: CompiledKind[] | undefined;
  const compile = (): CompiledKind[] =>
    (compiled ??= [...definitions.values()].map((definition) => ({
      name: definition.name,
      keywords: keywordPattern(definition.keywords),
      prototype: prototypeOf(definition.examples),
    })));
  const kinds = [...definitions.keys()];
  if (!kinds.includes(fallback)) kinds.push(fallback);

  return {
    kinds,
    classify(text) {
      const sample = text.slice(0, MAX_CHARS).toLowerCase();
      const vector = embed(sample);
      const scores: Record<string, number> = {};
      let best = fallback;
      let bestScore = 0;
      let second = 0;
      for (const kind of compile()) {
        const matches = kind.keywords ? new Set(sample.match(kind.keywords)).size : 0;
        const keyword = 1 - Math.exp(-matches / KEYWORD_SCALE);
        const similarity = kind.prototype && vector ? Math.max(0, sparseDot(vector, kind.prototype)) : 0;
        const score = KEYWORD_WEIGHT * keyword + PROTOTYPE_WEIGHT * similarity;
        scores[kind.name] = round(score);
        if (score > bestScore) {
          second = bestScore;
          bestScore = score;
          best = kind.name;
        } else if (score > second) {
          second = score;
        }
      }
      if (!(fallback in scores)) scores[fallback] = 0;
      if (bestScore < FLOOR)
        return { kind: fallback, confidence: round(1 - bestScore / FLOOR) * 0.5, scores };
      // Confidence: how clearly the winner leads, scaled by how strong its signal is.
      const margin = (bestScore - second) / bestScore;
      return { kind: best, confidence: round(Math.min(1, bestScore * 1.5) * (0.5 + margin / 2)), scores };
    },
  };
}

function keywordPattern(keywords: readonly string[]): RegExp | undefined {
  if (keywords.length === 0) return undefined;
  const escaped = keywords.map((k) => k.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Word boundaries that also work for keywords ending in a symbol (c++, tl;dr).
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
}

function prototypeOf(examples: readonly string[]): Float32Array | undefined {
  const sum = new Float32Array(DIMENSIONS);
  let any = false;
  for (const example of examples) {
    const vector = embed(example.toLowerCase());
    if (!vector) continue;
    any = true;
    for (let i = 0; i < vector.indices.length; i++) {
      const index = vector.indices[i] as number;
      sum[index] = (sum[index] as number) + (vector.values[i] as number);
    }
  }
  return any ? normalise(sum) : undefined;
}

const WORD = /[\p{L}\p{N}+#]+/gu;

/** A vector as its non-zero entries: a prompt touches a few dozen of the 1024 dimensions. */
interface SparseVector {
  indices: number[];
  values: number[];
}

/**
 * A signed feature-hashing vector of word unigrams and bigrams, L2-normalised and sparse (undefined
 * for text without words). Hand-written: a few lines, where an embedding library would be megabytes.
 */
function embed(text: string): SparseVector | undefined {
  const words = text.match(WORD);
  if (!words) return undefined;
  const entries = new Map<number, number>();
  const add = (feature: string) => {
    const hash = fnv1a(feature);
    const index = hash % DIMENSIONS;
    entries.set(index, (entries.get(index) ?? 0) + (hash >>> 31 === 1 ? -1 : 1));
  };
  for (let i = 0; i < words.length; i++) {
    add(words[i] as string);
    if (i > 0) add(`${words[i - 1] as string} ${words[i] as string}`);
  }
  let norm = 0;
  for (const value of entries.values()) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return { indices: [...entries.keys()], values: [...entries.values()].map((v) => v / norm) };
}

/** The dot product of a sparse vector with a dense one (a prototype). */
function sparseDot(a: SparseVector, b: Float32Array): number {
  let total = 0;
  for (let i = 0; i < a.indices.length; i++) {
    total += (a.values[i] as number) * (b[a.indices[i] as number] as number);
  }
  return total;
}

function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
  return vector;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
