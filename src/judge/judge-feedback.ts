import type { CheckResult } from './check-spec.js';
import { checkIssues } from './checks.js';
import type { Issue, Vote } from './verdict.js';

/** The header of the feedback block injected into the next round's prompts. */
export const FEEDBACK_HEADER = 'The previous attempt was rejected. Fix these problems:';

const SEVERITY_ORDER: Record<Issue['severity'], number> = { critical: 0, major: 1, minor: 2 };

/**
 * The feedback of a rejected round, for the next round's prompts: failed checks and the judges' issues,
 * most severe first, each quoted verbatim once (judges often repeat each other), then their suggestions.
 * Empty when there is nothing to say.
 */
export function judgeFeedback(input: {
  checks?: readonly CheckResult[];
  votes?: readonly Pick<Vote, 'issues' | 'suggestions'>[];
}): string {
  const issues = [...checkIssues(input.checks ?? []), ...(input.votes ?? []).flatMap((vote) => vote.issues)];
  const ordered = issues
    .map((issue, index) => ({ issue, index }))
    // Stable: within a severity, checks first and then judges in panel order.
    .sort((a, b) => SEVERITY_ORDER[a.issue.severity] - SEVERITY_ORDER[b.issue.severity] || a.index - b.index)
    .map(({ issue }) => `- [${issue.severity}] ${issue.criterion}: ${issue.text}`);
  const lines = [...new Set(ordered)];
  const suggestions = [...new Set((input.votes ?? []).flatMap((vote) => vote.suggestions))];
  if (lines.length === 0 && suggestions.length === 0) return '';
  const parts = [FEEDBACK_HEADER, ...lines];
  if (suggestions.length > 0) parts.push('Suggestions:', ...suggestions.map((text) => `- ${text}`));
  return parts.join('\n');
}
