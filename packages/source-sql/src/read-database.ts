import {
  InputError,
  addBatch,
  DEFAULT_MAX_LINE_LENGTH,
  SNIFF_LINES,
  createParser,
  emptyStats,
  resolveFormat,
  type FormatSpec,
  type InputStats,
  type LineParser,
  type LogRecord,
  type RecordBatch,
  type RecordStream,
  type Rejection,
} from "@oddity/core";
import { resolveCredentials, type Credentials } from "./credentials.js";
import { toInputError } from "./errors.js";
import {
  identifierProblem,
  parseTableName,
  quoteIdentifier,
  quoteTable,
  type TableName,
} from "./identifiers.js";
import { createRowMapper, rawJson, type RowMapper } from "./rows.js";
import type { ColumnInfo, RowChunk, SqlSession } from "./session.js";
import { parseDatabaseUrl, type DatabaseTarget } from "./url.js";
import { toText } from "./values.js";

/** What to read from a database: a table's raw-line column, or a query whose columns are record fields. */
export interface ReadDatabaseOptions {
  /** `mysql://`, `mariadb://`, `postgres://` or `postgresql://` URL; the password in it is optional. */
  url: string;
  /** Table (or `schema.table`, `database.table`) whose `column` holds one raw log line per row. */
  table?: string;
  /** The column holding the raw lines; may be left out when the table has exactly one text column. */
  column?: string;
  /** A SELECT whose columns are named for record fields (`ip`, `time`, `path`, `status`, ...). */
  query?: string;
  /** A column identifying each row; its value is put in `extra.primary_key` and orders table reads. */
  primaryKey?: string;
  /** Format of the raw lines in `column` (default: sniffed from the first rows). Ignored for `query`. */
  format?: FormatSpec;
  /** Rows fetched per round trip and records per batch (default 4096). */
  batchSize?: number;
  /** Raw lines longer than this many characters are rejected (default 1 MiB). */
  maxLineLength?: number;
  /** Throw `InputError` at the first rejected row instead of counting it. */
  strict?: boolean;
  signal?: AbortSignal;
  /** Called after every batch with running totals. */
  onProgress?: (stats: InputStats) => void;
  /** Where passwords and option files are looked up (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** Batches of records read from a database; each iteration runs the query afresh. */
export interface DatabaseRecordStream extends RecordStream {
  /** Things worth telling the user that did not stop the read. */
  readonly warnings: string[];
  /** The masked name every record carries as `source`: the URL plus the table or query. */
  readonly source: string;
}

type Mode =
  | { kind: "table"; table: TableName; tableText: string; column: string | null }
  | { kind: "query"; sql: string };

const DEFAULT_BATCH_SIZE = 4096;
// Bounds what sniffing holds back when the first rows are mostly NULL or blank.
const MAX_PENDING_CHUNKS = 8;
const EXCERPT_LENGTH = 200;

// The query as part of a source name: on one line, without control characters, middle elided.
function queryLabel(sql: string): string {
  const flat = sql.replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 55)} … ${flat.slice(-20)}`;
}

function planMode(options: ReadDatabaseOptions, target: DatabaseTarget): Mode {
  const { display } = target;
  const { table, column, query, primaryKey } = options;
  if (table !== undefined && query !== undefined) {
    throw new InputError(
      `${display}: give either a table (--table, --column) or a query (--query), not both`,
    );
  }
  if (primaryKey !== undefined) {
    const problem = identifierProblem(primaryKey);
    if (problem !== null)
      throw new InputError(`${display}: primary key name ${JSON.stringify(primaryKey)} ${problem}`);
  }
  if (query !== undefined) {
    if (column !== undefined)
      throw new InputError(`${display}: --column goes with --table; a query names its own columns`);
    if (query.trim() === "") throw new InputError(`${display}: the query is empty`);
    return { kind: "query", sql: query };
  }
  if (table === undefined) {
    throw new InputError(
      `${display}: say what to read: --table TABLE --column COLUMN (one raw log line per row) or --query "SELECT ..." (one column per field)`,
    );
  }
  const parsed = parseTableName(table);
  if (typeof parsed === "string") throw new InputError(`${display}: ${parsed}`);
  if (column !== undefined) {
    const problem = identifierProblem(column);
    if (problem !== null)
      throw new InputError(`${display}: column name ${JSON.stringify(column)} ${problem}`);
  }
  if (target.dialect === "mysql" && parsed.schema === null && target.database === null) {
    throw new InputError(
      `${display}: no database given: add it to the URL (${display}/logs) or write --table logs.${table}`,
    );
  }
  return { kind: "table", table: parsed, tableText: table, column: column ?? null };
}

function findColumn(columns: readonly ColumnInfo[], name: string): ColumnInfo | undefined {
  // Unquoted names are case-insensitive in both servers, so accept a column in another letter case.
  return (
    columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase())
  );
}

function pickRawColumn(columns: readonly ColumnInfo[], wanted: string | null, source: string): ColumnInfo {
  const listing = columns.map((c) => `${c.name} (${c.type})`).join(", ");
  if (wanted === null) {
    const texts = columns.filter((c) => c.text);
    if (texts.length === 1) return texts[0]!;
    throw new InputError(
      `${source}: say which column holds the log lines with --column (columns: ${listing})`,
    );
  }
  const column = findColumn(columns, wanted);
  if (column === undefined)
    throw new InputError(`${source}: no column ${JSON.stringify(wanted)} (columns: ${listing})`);
  if (!column.text) {
    throw new InputError(
      `${source}: column ${JSON.stringify(column.name)} is ${column.type}, not text: --column must name the column holding raw log lines (use --query to map typed columns onto fields)`,
    );
  }
  return column;
}

async function openSession(target: DatabaseTarget, credentials: Credentials): Promise<SqlSession> {
  // Loaded on demand: a MySQL user never pays for loading pg, and the reverse.
  if (target.dialect === "mysql") return (await import("./mysql.js")).openMysql({ target, credentials });
  return (await import("./postgres.js")).openPostgres({ target, credentials });
}

function lineOf(value: unknown): string | null {
  const text = toText(value);
  // Rows loaded from files often keep the newline; it is not part of the log line.
  return text === null ? null : text.replace(/\r?\n$/, "");
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}

/**
 * Reads access-log records from a MySQL/MariaDB or PostgreSQL database, streaming: a cursor (pg) or a
 * paused result stream (mysql2) fetches `batchSize` rows at a time, so a table of any size is read in
 * bounded memory. Each record's `source` is the masked URL plus the table or query, and `line` is the
 * row's 1-based ordinal in the result (ordered by the primary key when one is given).
 *
 * Errors are `InputError`s naming the masked source: unreachable server, bad credentials, unknown table
 * or column, a column that is not text, invalid SQL. Bad options throw at once; connection problems
 * when iteration starts.
 */
export function readDatabase(options: ReadDatabaseOptions): DatabaseRecordStream {
  const target = parseDatabaseUrl(options.url);
  const mode = planMode(options, target);
  const source =
    mode.kind === "table"
      ? `${target.display}/${mode.tableText}`
      : `${target.display}/(${queryLabel(mode.sql)})`;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InputError(`${source}: batch size must be a positive integer, got ${batchSize}`);
  }
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const env = options.env ?? process.env;
  const { signal, strict = false, onProgress, primaryKey } = options;

  const stats = emptyStats();
  let format: string | null = null;
  const warnings: string[] = [];

  function reject(rejections: Rejection[], line: number, reason: string, excerpt: string): void {
    if (strict) throw new InputError(`${source}:${line}: ${reason}`);
    rejections.push({ source, line, reason, excerpt: excerpt.slice(0, EXCERPT_LENGTH) });
  }

  function finish(batch: RecordBatch): RecordBatch {
    addBatch(stats, batch);
    onProgress?.(stats);
    return batch;
  }

  function rawBatch({ chunk, parser, entryIndex, keyIndex, first }: RawChunkInput): RecordBatch {
    const batch: RecordBatch = { records: [], rejections: [], blank: 0, read: chunk.rows.length };
    let ordinal = first;
    for (const row of chunk.rows) {
      ordinal++;
      const line = lineOf(row[entryIndex]);
      if (line === null) {
        reject(batch.rejections, ordinal, `${chunk.columns[entryIndex] ?? "column"} is NULL`, "");
        continue;
      }
      stats.bytes += Buffer.byteLength(line) + 1;
      if (isBlank(line)) {
        batch.blank++;
        continue;
      }
      if (line.length > maxLineLength) {
        reject(batch.rejections, ordinal, `line longer than ${maxLineLength} characters`, line);
        continue;
      }
      if (parser === null) {
        // Unreachable: a non-blank line here means the sample was not empty. Kept so nothing is dropped.
        reject(batch.rejections, ordinal, "no log format was resolved", line);
        continue;
      }
      const parsed = parser.parse(line, source, ordinal);
      if (typeof parsed === "string") {
        reject(batch.rejections, ordinal, parsed, line);
        continue;
      }
      if (keyIndex !== -1) addPrimaryKey(parsed, row[keyIndex]);
      batch.records.push(parsed);
    }
    // Counted per layout as a file's lines are (an auto-detected NCSA log reads several).
    const layouts = parser?.takeLayouts?.() ?? null;
    if (layouts !== null) batch.layouts = layouts;
    return finish(batch);
  }

  async function* readTable(
    session: SqlSession,
    table: Extract<Mode, { kind: "table" }>,
  ): AsyncGenerator<RecordBatch> {
    const columns = await session.describeTable(table.table);
    if (columns === null) {
      const tables = await session.listTables(table.table.schema);
      const known = tables.length === 0 ? "" : ` (tables: ${tables.join(", ")})`;
      throw new InputError(`${target.display}: no table ${JSON.stringify(table.tableText)}${known}`);
    }
    const column = pickRawColumn(columns, table.column, source);
    const key = primaryKey === undefined ? undefined : findColumn(columns, primaryKey);
    if (primaryKey !== undefined && key === undefined) {
      throw new InputError(`${source}: no column ${JSON.stringify(primaryKey)} for the primary key`);
    }
    const d = target.dialect;
    const selected =
      key === undefined
        ? quoteIdentifier(column.name, d)
        : `${quoteIdentifier(key.name, d)}, ${quoteIdentifier(column.name, d)}`;
    const order = key === undefined ? "" : ` ORDER BY ${quoteIdentifier(key.name, d)}`;
    const sql = `SELECT ${selected} FROM ${quoteTable(table.table, d)}${order}`;
    const entryIndex = key === undefined ? 0 : 1;
    const keyIndex = key === undefined ? -1 : 0;

    const chunks = session.stream(sql, batchSize);
    const spec: FormatSpec = options.format ?? { name: "auto" };
    let parser: LineParser | null = null;
    // Chunks are held back while their first non-blank lines are sampled, as readInputs does for files:
    // `auto` is sniffed from them, and any format is checked against them.
    const pending: RowChunk[] = [];
    const sample: string[] = [];
    let first = 0;
    const resolve = (): void => {
      if (parser !== null || sample.length === 0) return;
      const result = resolveFormat({ spec, lines: sample });
      parser = createParser(result.spec);
      format = spec.name === "auto" ? `${parser.description}, auto-detected` : parser.description;
      if (result.sampled > 0 && result.parsed * 2 < result.sampled) {
        warnings.push(
          `${source}: only ${result.parsed} of ${result.sampled} sample lines parse as ${parser.description}; name the format if that is not it`,
        );
      }
    };
    function* flush(): Generator<RecordBatch> {
      // With no parser yet, these chunks hold only NULL and blank rows, which need none.
      for (const chunk of pending) {
        yield rawBatch({ chunk, parser, entryIndex, keyIndex, first });
        first += chunk.rows.length;
      }
      pending.length = 0;
    }
    try {
      for (;;) {
        signal?.throwIfAborted();
        const next = await chunks.next();
        if (next.done) break;
        if (parser !== null) {
          yield rawBatch({ chunk: next.value, parser, entryIndex, keyIndex, first });
          first += next.value.rows.length;
          continue;
        }
        pending.push(next.value);
        for (const row of next.value.rows) {
          if (sample.length === SNIFF_LINES) break;
          const line = lineOf(row[entryIndex]);
          if (line !== null && !isBlank(line)) sample.push(line);
        }
        if (sample.length === SNIFF_LINES || pending.length === MAX_PENDING_CHUNKS) {
          resolve();
          yield* flush();
        }
      }
      resolve();
      yield* flush();
    } finally {
      await chunks.return(undefined);
    }
  }

  async function* readQuery(session: SqlSession, sql: string): AsyncGenerator<RecordBatch> {
    let mapper: RowMapper | null = null;
    let ordinal = 0;
    for await (const chunk of session.stream(sql, batchSize)) {
      signal?.throwIfAborted();
      mapper ??= createRowMapper({ columns: chunk.columns, source, primaryKey });
      format ??= `sql columns (${chunk.columns.join(", ")})`;
      const batch: RecordBatch = { records: [], rejections: [], blank: 0, read: chunk.rows.length };
      for (const row of chunk.rows) {
        ordinal++;
        const record = mapper(row, ordinal);
        if (typeof record === "string") {
          reject(batch.rejections, ordinal, record, rawJson(chunk.columns, row));
          continue;
        }
        stats.bytes += Buffer.byteLength(record.raw) + 1;
        batch.records.push(record);
      }
      yield finish(batch);
    }
  }

  async function* iterate(): AsyncGenerator<RecordBatch> {
    // The same stats object for every pass: callers may hold on to it.
    Object.assign(stats, emptyStats());
    format = null;
    warnings.length = 0;
    signal?.throwIfAborted();
    let credentials: Credentials | null = null;
    let session: SqlSession | null = null;
    const onAbort = (): void => session?.destroy();
    try {
      credentials = await resolveCredentials({ target, env });
      session = await openSession(target, credentials);
      signal?.throwIfAborted();
      signal?.addEventListener("abort", onAbort, { once: true });
      const batches = mode.kind === "table" ? readTable(session, mode) : readQuery(session, mode.sql);
      for await (const batch of batches) {
        // A destroyed connection may look like a finished result; the signal says which it was.
        signal?.throwIfAborted();
        yield batch;
      }
      signal?.throwIfAborted();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toInputError(error, { source, target, credentials });
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await session?.close();
    }
  }

  return {
    get stats() {
      return stats;
    },
    get format() {
      return format;
    },
    warnings,
    source,
    [Symbol.asyncIterator]: iterate,
  };
}

interface RawChunkInput {
  chunk: RowChunk;
  parser: LineParser | null;
  entryIndex: number;
  keyIndex: number;
  /** Rows before this chunk. */
  first: number;
}

function addPrimaryKey(record: LogRecord, value: unknown): void {
  const key = toText(value);
  if (key === null) return;
  // Parsers hand over fresh records, so adding to their extra (or giving them one) touches nothing shared.
  record.extra ??= Object.create(null) as Record<string, string>;
  record.extra.primary_key = key;
}
