import { declareErrorCodes } from '../../core/errors.js';

/** The error codes of the MCP client, with their categories (see ADR 0017). */
export const MCP_CLIENT_ERROR_CODES = declareErrorCodes({
  /** A configured server did not start or connect (its stderr tail is in the message). */
  'mcp.server_failed': 'upstream',
  /** A server's tool changed since it was approved; it stays disabled until approved again. */
  'mcp.tool_changed': 'forbidden',
  /** The tool answered with an error result. */
  'mcp.tool_error': 'upstream',
  /** `mcp:<server>/<tool>` names a tool the server does not list. */
  'mcp.tool_not_found': 'not_found',
  /** `mcp:<server>` names a server that is not configured. */
  'mcp.unknown_server': 'invalid',
});

declare module '../../core/errors.js' {
  interface ErrorCodeTables {
    mcpClient: typeof MCP_CLIENT_ERROR_CODES;
  }
}
