import { z } from 'zod';
import { redactText } from '../security/index.js';
import { defineOperation } from './define-operation.js';

/** Texts larger than this are refused: detection is linear, but one request must not hold the server long. */
export const MAX_REDACT_CHARACTERS = 1_000_000;

/** Finds personal data and credentials in a text and returns it masked. */
export const redactPii = defineOperation({
  name: 'pii.redact',
  description:
    'Find personal data and credentials (e-mail, phone, card, IBAN, SSN, IP, keys, tokens, passwords) in a ' +
    'text; returns each finding and the text with every finding replaced by a placeholder of its type.',
  input: z.strictObject({
    text: z
      .string()
      .max(MAX_REDACT_CHARACTERS, `text is longer than ${MAX_REDACT_CHARACTERS} characters`)
      .describe('The text to scan'),
  }),
  output: z.object({
    findings: z.array(
      z.object({
        type: z.string(),
        start: z.number().int(),
        end: z.number().int(),
        text: z.string(),
      }),
    ),
    redacted: z.string(),
  }),
  // A utility over the caller's own text: anyone who may read the catalog may use it.
  permission: 'catalog.read',
  tenancy: 'none',
  http: { method: 'POST', path: '/v1/redact' },
  async handler(_runtime, input) {
    return redactText(input.text);
  },
});
