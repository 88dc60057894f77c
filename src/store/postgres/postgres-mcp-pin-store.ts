import type pg from 'pg';
import type { McpPinStore, McpToolPin } from '../mcp-pin-store.js';

interface PinRow {
  server: string;
  tool: string;
  hash: string;
  approved_at: number;
  approved_by: string;
}

const COLUMNS = 'server, tool, hash, approved_at, approved_by';

function toPin(row: PinRow): McpToolPin {
  return {
    server: row.server,
    tool: row.tool,
    hash: row.hash,
    approvedAt: row.approved_at,
    approvedBy: row.approved_by,
  };
}

function values(pin: McpToolPin): unknown[] {
  return [pin.server, pin.tool, pin.hash, pin.approvedAt, pin.approvedBy];
}

/** The McpPinStore on PostgreSQL (table `mcp_tool_pins`). */
export class PostgresMcpPinStore implements McpPinStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async get(server: string, tool: string): Promise<McpToolPin | undefined> {
    const { rows } = await this.#pool.query<PinRow>(
      `SELECT ${COLUMNS} FROM mcp_tool_pins WHERE server = $1 AND tool = $2`,
      [server, tool],
    );
    return rows[0] ? toPin(rows[0]) : undefined;
  }

  async pinIfAbsent(pin: McpToolPin): Promise<McpToolPin> {
    // The INSERT waits for a concurrent first use of the same tool and then does nothing; the read
    // after it (a new snapshot) sees the pin that won.
    await this.#pool.query(
      `INSERT INTO mcp_tool_pins (${COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (server, tool) DO NOTHING`,
      values(pin),
    );
    return (await this.get(pin.server, pin.tool)) ?? pin;
  }

  async put(pin: McpToolPin): Promise<void> {
    await this.#pool.query(
      `INSERT INTO mcp_tool_pins (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (server, tool) DO UPDATE SET hash = excluded.hash,
         approved_at = excluded.approved_at, approved_by = excluded.approved_by`,
      values(pin),
    );
  }

  async list(): Promise<McpToolPin[]> {
    const { rows } = await this.#pool.query<PinRow>(
      `SELECT ${COLUMNS} FROM mcp_tool_pins ORDER BY server, tool`,
    );
    return rows.map(toPin);
  }
}
