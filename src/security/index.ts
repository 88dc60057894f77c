export { resolveInWorkspace } from './sandbox.js';
export * from './redact/index.js';
