import pg from "pg";
import Cursor from "pg-cursor";
import { NoPasswordError, type Credentials } from "./credentials.js";
import type { TableName } from "./identifiers.js";
import type { ColumnInfo, RowChunk, SqlSession } from "./session.js";
import type { DatabaseTarget } from "./url.js";

const TEXT_TYPES = new Set(["text", "character varying", "character", "name", "citext", "json", "jsonb"]);

const CONNECT_TIMEOUT_MS = 10_000;
const TIMESTAMP_OID = 1114;

// `timestamp without time zone` would otherwise be read in the machine's zone; UTC makes results
// independent of where oddity runs (and matches how MySQL DATETIME is read).
function parseUtcTimestamp(text: string): Date | string {
  const date = new Date(`${text.replace(" ", "T")}Z`);
  return Number.isNaN(date.getTime()) ? text : date;
}

// oddity never asks for binary results, so every value arrives as text.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number): ((text: string) => unknown) =>
    oid === TIMESTAMP_OID
      ? parseUtcTimestamp
      : (pg.types.getTypeParser(oid, "text") as (
          text: string,
        ) => unknown)) as pg.CustomTypesConfig["getTypeParser"],
};

function sslOption(params: URLSearchParams): pg.ClientConfig["ssl"] {
  const mode = (params.get("sslmode") ?? "").toLowerCase();
  if (mode === "" || mode === "disable" || mode === "allow" || mode === "prefer") return undefined;
  // libpq's `require` encrypts without checking the certificate; `verify-ca`/`verify-full` check it.
  return { rejectUnauthorized: mode !== "require" && mode !== "no-verify" };
}

function read(cursor: Cursor<unknown[]>, size: number): Promise<RowChunk> {
  return new Promise((resolve, reject) => {
    cursor.read(size, (error, rows, result) => {
      if (error) reject(error);
      // A finished cursor answers with no rows and no result at all.
      else
        resolve({
          columns: ((result as pg.QueryResult | undefined)?.fields ?? []).map((field) => field.name),
          rows,
        });
    });
  });
}

/** Opens a PostgreSQL connection; the password is asked for only if the server wants one. */
export async function openPostgres({
  target,
  credentials,
}: {
  target: DatabaseTarget;
  credentials: Credentials;
}): Promise<SqlSession> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: credentials.user,
    database: target.database ?? credentials.user,
    // A callback, so pg neither sends a password nobody asked for nor falls back to its own lookup.
    password: () => {
      if (credentials.password === null) throw new NoPasswordError();
      return credentials.password;
    },
    ssl: sslOption(target.params),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "oddity",
    types,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("BEGIN TRANSACTION READ ONLY");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  let streaming = false;

  return {
    async describeTable(name: TableName): Promise<ColumnInfo[] | null> {
      const result = await client.query<{ name: string; type: string; udt: string }>(
        "SELECT column_name AS name, data_type AS type, udt_name AS udt FROM information_schema.columns " +
          "WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position",
        [name.schema, name.table],
      );
      if (result.rows.length === 0) return null;
      return result.rows.map(({ name: column, type, udt }) => ({
        name: column,
        type: type === "USER-DEFINED" ? udt : type,
        text: TEXT_TYPES.has(type) || TEXT_TYPES.has(udt),
      }));
    },
    async listTables(schema: string | null): Promise<string[]> {
      const result = await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = COALESCE($1, current_schema()) " +
          "ORDER BY table_name LIMIT 20",
        [schema],
      );
      return result.rows.map((row) => row.name);
    },
    async *stream(sql: string, size: number): AsyncGenerator<RowChunk> {
      streaming = true;
      // A cursor fetches `size` rows per round trip: memory stays at one chunk whatever the table size.
      const cursor = client.query(new Cursor<unknown[]>(sql, [], { rowMode: "array", types }));
      for (;;) {
        const chunk = await read(cursor, size);
        if (chunk.rows.length === 0) break;
        yield chunk;
      }
      await cursor.close();
      streaming = false;
    },
    async close(): Promise<void> {
      if (streaming) {
        client.connection.stream.destroy();
      }
      await client.end().catch(() => undefined);
    },
    destroy(): void {
      client.connection.stream.destroy();
    },
  };
}
