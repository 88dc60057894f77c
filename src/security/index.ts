export { resolveInWorkspace } from './sandbox.js';
