import type { TableName } from "./identifiers.js";

/** A column as the server describes it. */
export interface ColumnInfo {
  name: string;
  /** The server's type name, e.g. `varchar`, `text`, `integer`, `timestamp with time zone`. */
  type: string;
  /** True for types that hold text oddity can parse as a log line. */
  text: boolean;
}

/** Rows of a result, as arrays in column order, with the column names. */
export interface RowChunk {
  columns: readonly string[];
  rows: unknown[][];
}

/**
 * One open connection, the same for MySQL and PostgreSQL so the reader above it does not care which.
 * Queries run inside a read-only transaction: oddity never writes to the database it reads.
 */
export interface SqlSession {
  /** The table's columns in order, or null when no such table is visible to the user. */
  describeTable(name: TableName): Promise<ColumnInfo[] | null>;
  /** Some table names of the schema/database, for "did you mean" messages. */
  listTables(schema: string | null): Promise<string[]>;
  /** Runs a query and yields its rows `size` at a time, never holding more than about one chunk. */
  stream(sql: string, size: number): AsyncGenerator<RowChunk>;
  /** Closes the connection; after an unfinished stream it is dropped rather than drained. */
  close(): Promise<void>;
  /** Drops the connection at once (abort); pending reads fail. */
  destroy(): void;
}
