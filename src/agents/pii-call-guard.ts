import { createPiiMasker, createStreamUnmasker, findingsToMask } from '../security/index.js';
import type { PiiPolicy } from '../security/index.js';
import type { CallPolicy, CallRestorer, PreparedCall } from './call-policy.js';
import { mapPrompt } from './map-prompt.js';

/** A placeholder the masker writes: upper-case letters and `_`, a number, in ⟦ ⟧. */
const PLACEHOLDER = /⟦[A-Z][A-Z_]*_\d+⟧/g;

/**
 * `security.pii.prompts` for one task: every text of a call's prompt to a model that is not local is
 * checked; a blocked kind refuses the call (`pii.blocked`), masked kinds are replaced by placeholders
 * (⟦EMAIL_1⟧, the same one for the same value across the task's calls), and the returned restorer puts
 * the values back into the model's text and tool-call arguments. Calls to local models pass untouched.
 */
/** The PII guard of a task: a call policy for model calls, and the same masking for plain text. */
export interface PiiCallGuard extends CallPolicy {
  /**
   * Masks `text` bound for a party outside agentd (a remote A2A agent) under the same policy and the
   * same placeholders as the task's model calls; `restore` puts the values back into its answer.
   */
  maskText(text: string, where: string): { text: string; restore(answer: string): string };
}

export function createPiiCallGuard(policy: PiiPolicy): PiiCallGuard {
  // One mapping per task: a value restored into the history is masked the same way in the next call.
  let masker: ReturnType<typeof createPiiMasker> | undefined;
  // Which call is being masked, for the message of a refusal.
  let where = '';
  return {
    maskText(text, destination) {
      if (policy.watched.length === 0) return { text, restore: (answer) => answer };
      where = destination;
      masker ??= createPiiMasker({ find: (found) => findingsToMask(found, policy, where) });
      const active = masker;
      return {
        text: active.mask(text),
        restore: (answer) => answer.replace(PLACEHOLDER, (p) => active.unmask(p)),
      };
    },
    prepare({ agent, model, prompt }): PreparedCall {
      if (model.local || policy.watched.length === 0) return { model, prompt };
      where = `the prompt of agent '${agent.name}' for ${model.info.id}`;
      masker ??= createPiiMasker({ find: (text) => findingsToMask(text, policy, where) });
      const active = masker;
      const before = active.count;
      let changed = false;
      const masked = mapPrompt(prompt, (text) => {
        const result = active.mask(text);
        if (result !== text) changed = true;
        return result;
      });
      if (!changed && before === 0) return { model, prompt };
      const restore: CallRestorer = {
        text: () => createStreamUnmasker(active),
        // Tool arguments are JSON text: a restored value must be escaped as the string literal it sits in.
        toolInput: (input) =>
          input.replace(PLACEHOLDER, (placeholder) =>
            JSON.stringify(active.unmask(placeholder)).slice(1, -1),
          ),
      };
      return { model, prompt: changed ? masked : prompt, restore };
    },
  };
}

/** Runs `outer` on what `inner` prepared; the restorers undo `outer` first, then `inner`. */
export function chainCallPolicies(
  inner: PreparedCall,
  outer: (call: PreparedCall) => PreparedCall,
): PreparedCall {
  const next = outer(inner);
  const first = next.restore;
  const second = inner.restore;
  // Only one of them changed the prompt: its restorer alone undoes it.
  if (!first) return second ? { ...next, restore: second } : next;
  if (!second) return next;
  return {
    ...next,
    restore: {
      text() {
        const a = first.text();
        const b = second.text();
        return { push: (chunk) => b.push(a.push(chunk)), flush: () => b.push(a.flush()) + b.flush() };
      },
      toolInput: (input) => second.toolInput(first.toolInput(input)),
    },
  };
}
