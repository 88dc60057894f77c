import { declareErrorCodes } from '../core/errors.js';

/** The error codes of tools and tool calls, with their categories (see ADR 0017). */
export const TOOL_ERROR_CODES = declareErrorCodes({
  'tool.invalid_name': 'system',
  'tool.duplicate': 'system',
  'tool.not_found': 'invalid',
  'tool.unavailable': 'invalid',
  'tool.invalid_input': 'invalid',
  'tool.binary_file': 'invalid',
  'tool.file_too_large': 'invalid',
  'tool.path_not_found': 'invalid',
  'tool.permission_denied': 'invalid',
  'tool.rejected': 'invalid',
  'tool.interrupted': 'halt',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    tools: typeof TOOL_ERROR_CODES;
  }
}
