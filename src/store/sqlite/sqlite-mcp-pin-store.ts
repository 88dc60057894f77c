import type Database from 'better-sqlite3';
import type { McpPinStore, McpToolPin } from '../mcp-pin-store.js';

interface PinRow {
  server: string;
  tool: string;
  hash: string;
  approved_at: number;
  approved_by: string;
}

function toPin(row: PinRow): McpToolPin {
  return {
    server: row.server,
    tool: row.tool,
    hash: row.hash,
    approvedAt: row.approved_at,
    approvedBy: row.approved_by,
  };
}

/** The McpPinStore on SQLite (table `mcp_tool_pins`). */
export class SqliteMcpPinStore implements McpPinStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async get(server: string, tool: string): Promise<McpToolPin | undefined> {
    const row = this.#db
      .prepare('SELECT * FROM mcp_tool_pins WHERE server = ? AND tool = ?')
      .get(server, tool) as PinRow | undefined;
    return row ? toPin(row) : undefined;
  }

  async pinIfAbsent(pin: McpToolPin): Promise<McpToolPin> {
    this.#db
      .prepare(
        `INSERT INTO mcp_tool_pins (server, tool, hash, approved_at, approved_by)
         VALUES (@server, @tool, @hash, @approvedAt, @approvedBy) ON CONFLICT (server, tool) DO NOTHING`,
      )
      .run(pin);
    return (await this.get(pin.server, pin.tool)) ?? pin;
  }

  async put(pin: McpToolPin): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO mcp_tool_pins (server, tool, hash, approved_at, approved_by)
         VALUES (@server, @tool, @hash, @approvedAt, @approvedBy)
         ON CONFLICT (server, tool) DO UPDATE SET hash = excluded.hash,
           approved_at = excluded.approved_at, approved_by = excluded.approved_by`,
      )
      .run(pin);
  }

  async list(): Promise<McpToolPin[]> {
    return (this.#db.prepare('SELECT * FROM mcp_tool_pins ORDER BY server, tool').all() as PinRow[]).map(
      toPin,
    );
  }
}
