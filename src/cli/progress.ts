import type { TaskEvent } from '../core/events.js';
import type { CliIo } from './cli-io.js';
import { usd } from './format.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line live progress display on stderr (agent, step, tokens, cost so far), redrawn in
 * place. It draws only on a TTY, so piped and CI output stays clean.
 */
export function createProgress(io: CliIo): { update(event: TaskEvent): void; stop(): void } {
  const enabled = io.stderr.isTTY === true;
  let frame = 0;
  let agent = '';
  let step = 0;
  let tokens = 0;
  let cost = 0;
  let activity = 'starting';
  const draw = () => {
    if (!enabled) return;
    const parts = [
      agent && `${agent}`,
      step > 0 && `step ${step}`,
      `${tokens} tok`,
      usd(cost),
      activity,
    ].filter(Boolean);
    io.stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${parts.join(' · ')}`);
  };
  const timer = enabled ? setInterval(draw, 80) : undefined;
  timer?.unref();
  return {
    update(event) {
      if (event.type === 'step-start') {
        agent = event.data.agent;
        step++;
        activity = event.data.kind === 'model' ? 'thinking' : `tool ${event.data.name.split(':').at(-1)}`;
      } else if (event.type === 'text-delta') {
        activity = 'writing';
      } else if (event.type === 'step-restart') {
        activity = `retrying (${event.data.reason.code})`;
      } else if (event.type === 'review-requested') {
        activity = `waiting for review ${event.data.reviewId}`;
      } else if (event.type === 'step-end') {
        tokens += (event.data.inputTokens ?? 0) + (event.data.outputTokens ?? 0);
        if (event.data.taskCostUsd !== undefined) cost = event.data.taskCostUsd;
      }
      draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      if (enabled) io.stderr.write('\r\x1b[2K');
    },
  };
}
