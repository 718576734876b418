import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { InputError, RECORD_FIELDS } from "@oddity/core";
import { sqlIdentifier, sqlNumber, sqlString } from "./sql-text.js";

/** True for a file DuckDB reads as Parquet (by its name). */
export function isParquet(file: string): boolean {
  return /\.parquet$/i.test(file);
}

function checkName(file: string): void {
  // DuckDB reads glob characters in a file name as a pattern; the CLI has expanded globs already.
  if (/[*?[\]{}]/.test(file)) {
    throw new InputError(
      `${file}: DuckDB would read this file name as a glob; rename the file or read it without --engine`,
    );
  }
}

// One VARCHAR column a line, split on a delimiter no log holds; strict, so a line DuckDB would cut (at
// that delimiter or at a bare carriage return, which oddity's reader keeps) fails the read instead.
function readCsvOptions(lineBytes: number): string {
  return `columns = {'line': 'VARCHAR'}, header = false, quote = '', escape = '', auto_detect = false, strict_mode = true, delim = '\u001f\u001e\u001d\u001c', max_line_size = ${sqlNumber(lineBytes)}`;
}

/** The bytes a line of `maxLineLength` characters may take in UTF-8 (and its newline): all a read must allow. */
export function maxLineBytes(maxLineLength: number): number {
  return maxLineLength * 4 + 16;
}

/**
 * The line size a read tries first. DuckDB's reader buffers must hold the longest line allowed, and it
 * shares a file among its threads buffer by buffer: allowing 64 Mi characters (256 MiB) made a 230 MB
 * log one buffer, read and split by one thread while the other idled (a `fit` took 1.25× as long). Almost
 * no line is over 1 MiB; a read that meets one fails (`isLineTooLong`) and is done again allowing
 * `maxLineBytes`.
 */
export function firstLineBytes(maxLineLength: number): number {
  return Math.min(maxLineBytes(maxLineLength), 2 ** 20);
}

/** True for DuckDB's error for a line longer than the read allowed (`max_line_size`). */
export function isLineTooLong(error: unknown): boolean {
  return error instanceof Error && /Maximum line size of \d+ bytes exceeded/.test(error.message);
}

/**
 * One relation `lines(src, source, line)` over text files (plain or `.gz`, one line a row) and Parquet
 * files whose `column` holds raw lines, in the files' order and each file's line order; `src` is each
 * file's index in `files`. `source` is null: a row's file is known from `src`, and writing its name into
 * every row cost more than the rest of the row's numbers (see `openScan`). No row number: numbering in the reader (`WITH ORDINALITY`) kept it on one
 * thread, so a line's number is its row's place in the table it is read into (see `openScan`).
 */
export function linesSql({
  files,
  column,
  lineBytes,
}: {
  files: ReadonlyArray<{ file: string; src: number }>;
  column: string | undefined;
  /** The longest line the read allows, in bytes (`firstLineBytes`, `maxLineBytes`). */
  lineBytes: number;
}): string {
  return files
    .map(({ file, src }) => {
      checkName(file);
      const from = isParquet(file)
        ? `SELECT ${src} AS src, CAST(NULL AS VARCHAR) AS source, CAST(${sqlIdentifier(column!)} AS VARCHAR) AS line FROM read_parquet(${sqlString(file)})`
        : `SELECT ${src} AS src, CAST(NULL AS VARCHAR) AS source, line FROM read_csv(${sqlString(file)}, ${readCsvOptions(lineBytes)})`;
      return from;
    })
    .join("\nUNION ALL\n");
}

/** The text record fields a split line or a Parquet row of record fields gives, in the order rows hold them. */
export const TEXT_COLUMNS = [
  "ip",
  "ident",
  "user",
  "time_text",
  "method",
  "path",
  "http_version",
  "referer",
  "user_agent",
] as const;
const NUMBER_COLUMNS = ["status", "size"];

/**
 * The record fields a Parquet file of parsed requests has as columns, with their DuckDB types. A file
 * with none of the request fields (only `source`, `line`, `raw` or other names) is refused: its lines
 * are likely raw, in a column to name with `column`.
 */
export async function parquetColumns(
  connection: DuckDBConnection,
  file: string,
): Promise<Array<{ name: string; type: string }>> {
  checkName(file);
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
  const all = reader.getRowsJS().map((row) => ({ name: row[0] as string, type: row[1] as string }));
  const fields = new Set<string>(RECORD_FIELDS);
  const columns = all.filter((column) => fields.has(column.name));
  if (!columns.some((column) => !["source", "line", "raw"].includes(column.name))) {
    throw new InputError(
      `${file}: no column is a record field (${RECORD_FIELDS.filter((f) => f !== "source" && f !== "line" && f !== "raw").join(", ")}); its columns are ${all.map((c) => JSON.stringify(c.name)).join(", ")}: name the one of raw log lines with --column`,
    );
  }
  return columns;
}

/**
 * The rows of a Parquet file of parsed requests as the `parsed` table holds split lines: every row a
 * record (`plain`), columns named like the record fields, `time` a TIMESTAMP or epoch milliseconds.
 * `source` and `line`, when present, say where each came from (else the file and the row number). Other
 * columns are not read; a missing field is null.
 */
export function parquetRecordsSql({
  file,
  src,
  columns,
}: {
  file: string;
  src: number;
  columns: ReadonlyArray<{ name: string; type: string }>;
}): string {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const text = (name: string) =>
    types.has(name) ? `CAST(${sqlIdentifier(name)} AS VARCHAR)` : "CAST(NULL AS VARCHAR)";
  const number = (name: string) =>
    types.has(name) ? `TRY_CAST(${sqlIdentifier(name)} AS DOUBLE)` : "CAST(NULL AS DOUBLE)";
  const timeType = types.get("time");
  let time = "CAST(NULL AS DOUBLE)";
  if (timeType !== undefined) {
    if (/^(TIMESTAMP|DATE)/.test(timeType)) time = `CAST(epoch_ms(${sqlIdentifier("time")}) AS DOUBLE)`;
    else if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(timeType))
      time = `CAST(${sqlIdentifier("time")} AS DOUBLE)`;
    else {
      throw new InputError(
        `${file}: column "time" is ${timeType}; give a TIMESTAMP or epoch milliseconds (the time as written goes in time_text)`,
      );
    }
  }
  const fields = [
    ...TEXT_COLUMNS.map((name) => `${text(name)} AS ${sqlIdentifier(name)}`),
    ...NUMBER_COLUMNS.map((name) => `${number(name)} AS ${sqlIdentifier(name)}`),
    `${time} AS "time"`,
  ];
  // Without a source of its own, a row's source is its file (`openScan` fills it in from `src`).
  const source = text("source");
  // Without a line of its own, a row's line is its number in the file (`n`, see `openScan`).
  const line = types.has("line") ? number("line") : "CAST(NULL AS DOUBLE)";
  return `SELECT ${src} AS src, ${source} AS source, ${line} AS line_no, true AS plain, ${text("raw")} AS line, ${fields.join(", ")} FROM read_parquet(${sqlString(file)})`;
}

/** The first `limit` raw lines of a Parquet column, for sniffing their format (null values left out). */
export async function parquetLines({
  file,
  column,
  limit,
}: {
  file: string;
  column: string;
  limit: number;
}): Promise<string[]> {
  checkName(file);
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT CAST(${sqlIdentifier(column)} AS VARCHAR) FROM read_parquet(${sqlString(file)}) LIMIT ${sqlNumber(limit)}`,
    );
    return reader.getRowsJS().flatMap((row) => (typeof row[0] === "string" ? [row[0]] : []));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new InputError(`${file}: DuckDB could not read column ${JSON.stringify(column)}: ${reason}`, {
      cause: error,
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
