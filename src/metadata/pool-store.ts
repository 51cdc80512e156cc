import { ConfigError } from "../core/errors.js";
import { type SqlDatabase, toNumber } from "./sql-database.js";

/**
 * A named limit on how many task attempts may run at once, shared by every pipeline and
 * every process using the same metadata store (e.g. at most 2 tasks reading the source
 * database). An attempt takes its slots when it starts and frees them when it ends or is
 * reaped as a zombie.
 */
export interface PoolRecord {
  name: string;
  slots: number;
  description?: string;
  /** Slots taken by running attempts now. */
  running: number;
}

export interface PoolStore {
  /** Creates the pool or changes its size. */
  set(name: string, slots: number, options?: { description?: string; at?: string }): Promise<void>;
  get(name: string): Promise<PoolRecord | undefined>;
  /** Sorted by name. */
  list(): Promise<PoolRecord[]>;
  delete(name: string): Promise<void>;
}

interface PoolRow {
  name: string;
  slots: number | string;
  description: string | null;
  running: number | string;
}

const SELECT = `SELECT p.name, p.slots, p.description,
  (SELECT COALESCE(SUM(a.pool_slots), 0) FROM task_attempts a WHERE a.pool = p.name AND a.state = 'running') AS running
  FROM pools p`;

export class SqlPoolStore implements PoolStore {
  constructor(private readonly db: SqlDatabase) {}

  async set(name: string, slots: number, options: { description?: string; at?: string } = {}): Promise<void> {
    if (typeof name !== "string" || name.trim() === "") {
      throw new ConfigError(`invalid pool name ${JSON.stringify(name)}: expected a non-empty string`);
    }
    if (!Number.isInteger(slots) || slots < 1) {
      throw new ConfigError(
        `invalid size ${slots} for pool "${name}": expected a whole number of at least 1`,
        {
          details: { pool: name, slots },
        },
      );
    }
    await this.db.run(
      `INSERT INTO pools (name, slots, description, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET slots = excluded.slots,
         description = COALESCE(excluded.description, pools.description), updated_at = excluded.updated_at`,
      [name, slots, options.description, options.at ?? new Date().toISOString()],
    );
  }

  async get(name: string): Promise<PoolRecord | undefined> {
    const row = await this.db.get<PoolRow>(`${SELECT} WHERE p.name = ?`, [name]);
    return row ? toPool(row) : undefined;
  }

  async list(): Promise<PoolRecord[]> {
    return (await this.db.all<PoolRow>(`${SELECT} ORDER BY p.name`)).map(toPool);
  }

  async delete(name: string): Promise<void> {
    await this.db.run("DELETE FROM pools WHERE name = ?", [name]);
  }
}

function toPool(row: PoolRow): PoolRecord {
  return {
    name: row.name,
    slots: toNumber(row.slots),
    ...(row.description === null ? {} : { description: row.description }),
    running: toNumber(row.running),
  };
}
