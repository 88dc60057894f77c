/** The approved definition of one MCP server's tool: a hash of its name, description and input schema. */
export interface McpToolPin {
  /** The configured server's name (`mcp.servers.<name>`). */
  server: string;
  /** The tool's name as the server lists it. */
  tool: string;
  /** SHA-256 (hex) of the canonical JSON of the tool's name, description and input schema. */
  hash: string;
  /** Epoch ms the pin was written (first use, or the last approval). */
  approvedAt: number;
  /** Who approved it: `first-use` when pinned automatically, else the approving actor. */
  approvedBy: string;
}

/** Pins of MCP tool definitions, one per server and tool. */
export interface McpPinStore {
  /** The pin of `server`/`tool`, or undefined. */
  get(server: string, tool: string): Promise<McpToolPin | undefined>;
  /**
   * Stores `pin` when the tool has none and returns what is stored afterwards: a pin written first
   * (by another task or process) wins, so two first uses never overwrite each other.
   */
  pinIfAbsent(pin: McpToolPin): Promise<McpToolPin>;
  /** Inserts or replaces the pin (a person's approval of the current definition). */
  put(pin: McpToolPin): Promise<void>;
  /** Every pin, ordered by server then tool. */
  list(): Promise<McpToolPin[]>;
}
