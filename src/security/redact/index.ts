export { detectPii, type PiiMatch, type PiiOptions } from './detect-pii.js';
export { createPiiMasker, type PiiMasker } from './pii-masker.js';
export { PII_KINDS, type PiiKind } from './pii-detectors.js';
export { createNumberedRedactor, redactPii } from './redact-pii.js';
export { createStreamUnmasker, type StreamUnmasker } from './stream-unmasker.js';
export {
  createPolicyRedactor,
  findingsToMask,
  piiBlocked,
  PII_ACTIONS,
  resolvePiiPolicy,
  type PiiAction,
  type PiiDestination,
  type PiiPolicy,
  type PiiRule,
} from './pii-policy.js';
export { redactText, type RedactFinding } from './redact-text.js';
