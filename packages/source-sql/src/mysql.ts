import type { Readable } from "node:stream";
import { createConnection, type Connection, type ConnectionOptions, type FieldPacket } from "mysql2";
import type { Credentials } from "./credentials.js";
import type { TableName } from "./identifiers.js";
import type { ColumnInfo, RowChunk, SqlSession } from "./session.js";
import type { DatabaseTarget } from "./url.js";

const TEXT_TYPES = new Set(["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json"]);

const CONNECT_TIMEOUT_MS = 10_000;

function sslOption(params: URLSearchParams): ConnectionOptions["ssl"] {
  const mode = (params.get("ssl") ?? params.get("ssl-mode") ?? "").toLowerCase();
  if (mode === "" || mode === "false" || mode === "disabled") return undefined;
  return { rejectUnauthorized: !(mode === "no-verify" || mode === "skip-verify" || mode === "required") };
}

function query<T>(connection: Connection, sql: string, values: unknown[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    connection.query(sql, values, (error, rows) => (error ? reject(error) : resolve(rows as T)));
  });
}

/** Opens a MySQL/MariaDB connection; DATETIME and TIMESTAMP values come back as UTC. */
export async function openMysql({
  target,
  credentials,
}: {
  target: DatabaseTarget;
  credentials: Credentials;
}): Promise<SqlSession> {
  const socket = target.params.get("socket");
  const connection = createConnection({
    host: target.host,
    port: target.port,
    ...(socket === null ? {} : { socketPath: socket }),
    user: credentials.user,
    ...(credentials.password === null ? {} : { password: credentials.password }),
    ...(target.database === null ? {} : { database: target.database }),
    ssl: sslOption(target.params),
    // DATETIME has no zone: read it as UTC, and make the server send TIMESTAMP in UTC to match.
    timezone: "Z",
    supportBigNumbers: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  // After destroy() the driver may still emit errors; they are reported through the pending call.
  connection.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    connection.connect((error) => (error ? reject(error) : resolve()));
  }).catch((error: unknown) => {
    connection.destroy();
    throw error;
  });
  let streaming = false;
  let active: Readable | null = null;
  try {
    await query(connection, "SET time_zone = '+00:00'");
    await query(connection, "START TRANSACTION READ ONLY");
  } catch (error) {
    connection.destroy();
    throw error;
  }

  return {
    async describeTable(name: TableName): Promise<ColumnInfo[] | null> {
      const rows = await query<Array<{ name: string; type: string }>>(
        connection,
        "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS " +
          "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
        [name.schema, name.table],
      );
      if (rows.length === 0) return null;
      return rows.map(({ name: column, type }) => {
        const lower = String(type).toLowerCase();
        return { name: String(column), type: lower, text: TEXT_TYPES.has(lower) };
      });
    },
    async listTables(schema: string | null): Promise<string[]> {
      const rows = await query<Array<{ name: string }>>(
        connection,
        "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) " +
          "ORDER BY TABLE_NAME LIMIT 20",
        [schema],
      );
      return rows.map((row) => String(row.name));
    },
    async *stream(sql: string, size: number): AsyncGenerator<RowChunk> {
      streaming = true;
      let columns: string[] = [];
      // The driver pauses the socket whenever the stream's buffer holds `size` rows, so a huge table
      // is read at the pace the records are consumed.
      const rows = connection.query({ sql, rowsAsArray: true }).stream({ highWaterMark: size });
      active = rows;
      rows.on("fields", (fields: FieldPacket[]) => {
        columns = fields.map((field) => field.name);
      });
      let chunk: unknown[][] = [];
      for await (const row of rows) {
        chunk.push(row as unknown[]);
        if (chunk.length >= size) {
          yield { columns, rows: chunk };
          chunk = [];
        }
      }
      if (chunk.length > 0) yield { columns, rows: chunk };
      streaming = false;
    },
    async close(): Promise<void> {
      if (streaming) {
        connection.destroy();
        return;
      }
      await new Promise<void>((resolve) => {
        connection.end(() => resolve());
      });
    },
    destroy(): void {
      // A paused result stream would wait forever for rows from a dropped connection.
      active?.destroy(new Error("the read was aborted"));
      connection.destroy();
    },
  };
}
