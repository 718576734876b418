import type { ClickHouseClient } from "@clickhouse/client";
import {
  DEFAULT_MAX_LINE_LENGTH,
  InputError,
  SNIFF_LINES,
  addBatch,
  addUnscored,
  createParser,
  createRecord,
  emptyStats,
  resolveFormat,
  type FormatSpec,
  type InputStats,
  type LineParser,
  type LogRecord,
  type RecordBatch,
  type RecordStream,
} from "@oddity/core";
import { chIdentifier, chString } from "./escape.js";
import { TABLE_FIELDS } from "./table-fields.js";
import { tsvValue } from "./tsv.js";
import {
  checkQueryOptions,
  queryRelation,
  querySource,
  readExtras,
  tableRelation,
  type Relation,
} from "./query.js";
import { connectClickHouse } from "./connect.js";
import { querySettings } from "./derive.js";
import { connectionError, parseClickHouseUrl, type ClickHouseTarget } from "./url.js";

/**
 * What to read from ClickHouse: a table's raw-line column, or its columns named like record fields, or
 * a query's columns named like record fields.
 */
export interface ReadClickHouseOptions {
  /** `clickhouse://USER[:PASS]@HOST:PORT/DB`; the password may come from the environment or a file. */
  url: string;
  /** The table (a Distributed table reads every shard); or else `query`. */
  table?: string | undefined;
  /**
   * Instead of `table`: a SELECT whose columns are named (or aliased) like record fields, the user's own
   * SQL run as a subquery (`SELECT client AS ip, toUInt16(code) AS status, ... FROM logs.requests`).
   */
  query?: string | undefined;
  /**
   * A column of one raw log line per row, parsed by oddity; without it, the columns named like record
   * fields, every other column but the primary key an extra field (see `tableRelation`).
   */
  column?: string | undefined;
  /** A column that orders the rows and is kept in `extra.primary_key`; without it, rows come as returned. */
  primaryKey?: string | undefined;
  /** Format of the raw lines (default: sniffed from the first 50 non-blank rows). */
  format?: FormatSpec | undefined;
  /** Records per batch (default 4096). */
  batchSize?: number | undefined;
  /** Raw lines longer than this many characters are rejected (default 1 MiB). */
  maxLineLength?: number | undefined;
  /** Throw an `InputError` at the first rejected row. */
  strict?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((stats: InputStats) => void) | undefined;
  /** Where the password is looked up (default `process.env`). */
  env?: Record<string, string | undefined> | undefined;
  /**
   * For a table of parsed columns (or a query) with a `primaryKey`: the SQL condition a row must meet to
   * be streamed back, and the join after `FROM table` it needs (null: every row), given the client and
   * the relation read: the escaped table (or the wrapped query), the record fields it holds, its extra
   * fields and the prefix the names of what is selected over it take (see `Relation`). Streamed rows keep
   * the `line` the whole result gives them; the others are counted as read and parsed.
   */
  select?:
    | ((table: { client: ClickHouseClient } & Relation) => Promise<{ where: string; join: string } | null>)
    | undefined;
  /**
   * For a raw-line column with a `primaryKey`: which rows to stream back and how to read them (see
   * {@link LineSelection}), given the client and the table; null: every row is streamed.
   */
  selectLines?:
    | ((table: {
        client: ClickHouseClient;
        target: ClickHouseTarget;
        table: string;
        column: string;
        primaryKey: string;
      }) => Promise<LineSelection | null>)
    | undefined;
}

/**
 * The rows of a raw-line column to stream back when not all are: every other row holds a line that
 * oddity's parser reads as a record of `layout` (counted as read and parsed, and as `stats.unscored`).
 */
export interface LineSelection {
  /** TabSeparated rows to read: each row's line number, its line, its primary key and its `bytes`. */
  sql: string;
  /** The format the lines are read in, settled from the first lines as the streamed read settles it. */
  spec: FormatSpec;
  /** The format as the streamed read names it (`combined, auto-detected`). */
  format: string;
  /** What settling the format doubted, worded as the streamed read words it. */
  warnings: readonly string[];
  /** The layout the NCSA reader counts the rows left out under (`stats.layouts`); null: none counted. */
  layout: string | null;
  /** Rows of the table, and the sum of their `bytes` (a line's bytes and newline as the table holds them). */
  totals: () => Promise<{ rows: number; bytes: number }>;
}

/** Batches of records read from a ClickHouse table; each iteration runs the query afresh. */
export interface ClickHouseRecordStream extends RecordStream {
  /** What every record carries as `source`: the masked URL and the table, or the query in parentheses. */
  readonly source: string;
}

const DEFAULT_BATCH_SIZE = 4096;
const EXCERPT_LENGTH = 200;
export const TEXT_TYPE = /^(?:Nullable\()?(?:LowCardinality\()?(?:String|FixedString\(\d+\))\)?\)?$/;
const NUMERIC = new Set(["time", "status", "size"]);

export interface Column {
  name: string;
  type: string;
}

async function selectRows(
  client: ClickHouseClient,
  sql: string,
  signal: AbortSignal | undefined,
): Promise<Array<Record<string, unknown>>> {
  const result = await client.query({
    query: sql,
    format: "JSONEachRow",
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  return result.json<Record<string, unknown>>();
}

/** The table's columns, or an `InputError` naming the tables there are when it does not exist. */
async function describe({
  client,
  target,
  table,
  signal,
}: {
  client: ClickHouseClient;
  target: Pick<ClickHouseTarget, "database" | "display">;
  table: string;
  signal: AbortSignal | undefined;
}): Promise<Column[]> {
  const columns = await selectRows(
    client,
    `SELECT name, type FROM system.columns WHERE database = ${chString(target.database)} AND table = ${chString(table)}`,
    signal,
  );
  if (columns.length > 0) return columns.map((c) => ({ name: text(c.name), type: text(c.type) }));
  const tables = await selectRows(
    client,
    `SELECT name FROM system.tables WHERE database = ${chString(target.database)} ORDER BY name LIMIT 20`,
    signal,
  );
  const known =
    tables.length === 0 ? "" : ` (tables: ${tables.map((t) => JSON.stringify(t.name)).join(", ")})`;
  throw new InputError(`${target.display}: no table ${JSON.stringify(table)}${known}`);
}

/**
 * The table's columns, its key column and its raw-line column (which must hold text), or an `InputError`
 * naming what there is: the tables when the table does not exist, the columns when a column does not.
 */
export async function tableColumns({
  client,
  target,
  table,
  column,
  primaryKey,
  signal,
}: {
  client: ClickHouseClient;
  target: Pick<ClickHouseTarget, "database" | "display">;
  table: string;
  column: string | undefined;
  primaryKey: string | undefined;
  signal: AbortSignal | undefined;
}): Promise<{ columns: Column[]; key: Column | undefined; raw: Column | undefined }> {
  const source = `${target.display}#${table}`;
  const columns = await describe({ client, target, table, signal });
  const find = (name: string, what: string) => {
    const found = columns.find((c) => c.name === name);
    if (found === undefined) {
      throw new InputError(
        `${source}: no ${what} ${JSON.stringify(name)} (columns: ${columns.map((c) => JSON.stringify(c.name)).join(", ")})`,
      );
    }
    return found;
  };
  const key = primaryKey === undefined ? undefined : find(primaryKey, "column for the primary key");
  const raw = column === undefined ? undefined : find(column, "column");
  if (raw !== undefined && !TEXT_TYPE.test(raw.type)) {
    throw new InputError(
      `${source}: column ${JSON.stringify(column)} is ${raw.type}, not a text column of raw log lines (without --column, the table's columns named like record fields are read)`,
    );
  }
  return { columns, key, raw };
}

// JSONEachRow gives text as strings and 64-bit numbers as strings or numbers; arrays and maps as JSON.
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}

export function isBlank(line: string): boolean {
  return line.trim() === "";
}

// Rows loaded from files often keep the newline; it is not part of the log line.
export function lineOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return text(value).replace(/\r?\n$/, "");
}

/** Sets `extra.primary_key` to the key's text, as every record read with a key carries it (not for NULL). */
export function addPrimaryKey(record: LogRecord, value: unknown): void {
  if (value === null || value === undefined) return;
  record.extra ??= Object.create(null) as Record<string, string>;
  record.extra.primary_key = text(value);
}

/**
 * One row of parsed-field columns as a record, its extras' text in `extra` (NULL: not set); `raw` is its
 * fields and extras as JSON, there being no log line.
 */
function recordOf({
  row,
  fields,
  extras,
  source,
  line,
}: {
  row: Record<string, unknown>;
  fields: readonly string[];
  extras: ReadonlyArray<{ name: string; value: string | null }>;
  source: string;
  line: number;
}): LogRecord {
  const values: Record<string, string | number> = {};
  for (const field of fields) {
    const value = row[field];
    if (value === null || value === undefined) continue;
    values[field] = NUMERIC.has(field) ? Number(value) : text(value);
  }
  const shown: Record<string, string | number | null> = Object.create(null) as Record<string, null>;
  for (const f of fields) shown[f] = values[f] ?? null;
  let extra: Record<string, string> | null = null;
  for (const { name, value } of extras) {
    shown[name] = value;
    if (value === null) continue;
    extra ??= Object.create(null) as Record<string, string>;
    extra[name] = value;
  }
  return createRecord({ ...values, source, line, raw: JSON.stringify(shown), extra });
}

/**
 * The rows meeting `where`, each after its 1-based position in the whole table ordered by `key`. Each
 * shard evaluates the condition and sends the key and the flag of every row, the fields of candidates
 * only; the server that merges the shards' sorted parts numbers the rows before the others are dropped.
 */
function numberedSql({
  columns,
  from,
  key,
  where,
  join,
  prefix,
}: {
  /** The SQL of each column to read, escaped. */
  columns: readonly string[];
  from: string;
  key: string;
  where: string;
  /** What `where` needs joined after `FROM from` (empty for none). */
  join: string;
  /** A prefix no column of `from` starts with: the names given here start with it. */
  prefix: string;
}): string {
  const name = (result: string) => chIdentifier(`${prefix}${result}`);
  const [c, k, n] = [name("c"), name("k"), name("n")];
  const values = columns.map((sql, i) => `if(${c}, ${sql}, NULL) AS ${name(`v${i}`)}`);
  const names = [...columns.map((_, i) => name(`v${i}`)), k];
  const inner = `SELECT (${where}) AS ${c}, ${values.join(", ")}, ${chIdentifier(key)} AS ${k} FROM ${from}${join} ORDER BY ${chIdentifier(key)}`;
  const numbered = `SELECT rowNumberInAllBlocks() + 1 AS ${n}, ${c}, ${names.join(", ")} FROM (${inner})`;
  // Pushing the outer WHERE into the numbered subquery would number only the rows it keeps.
  return `SELECT ${n}, ${names.join(", ")} FROM (${numbered}) WHERE ${c} SETTINGS enable_optimize_predicate_expression = 0`;
}

/**
 * Reads access-log records out of a ClickHouse table, streaming: either a column of raw log lines, each
 * parsed by oddity's own parser as a file's line would be (so fitting them gives the model `oddity fit`
 * gives the same lines, but for `sources`), or columns named like the record fields, of the table (see
 * `tableRelation`: its other columns are extra fields) or of a `query` (see `queryRelation`: its columns
 * are matched to fields by name and converted, the others extra fields). A row's
 * `line` is its 1-based ordinal in the result: ordered by `primaryKey` when one is given, else in the
 * order the server returns (a Distributed table interleaves its shards). Errors are `InputError`s naming the masked
 * URL: unknown table (listing the tables), unknown column (listing the columns), a column that is not text.
 */
export function readClickHouse(options: ReadClickHouseOptions): ClickHouseRecordStream {
  const env = options.env ?? process.env;
  const target = parseClickHouseUrl({ url: options.url, env });
  const { table, column, query, primaryKey, signal, onProgress } = options;
  if (query !== undefined) checkQueryOptions({ display: target.display, query, table, column });
  else if (table === undefined)
    throw new InputError(`${target.display}: name the table with --table, or give --query`);
  const source = query === undefined ? `${target.display}#${table}` : querySource(target.display, query);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new InputError(`${source}: batch size must be a positive integer, got ${batchSize}`);
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const strict = options.strict ?? false;
  const spec: FormatSpec = options.format ?? { name: "auto" };
  const stats = emptyStats();
  const warnings: string[] = [];
  let format: string | null = null;

  // Rows come a chunk at a time, as the response arrives: an await per row would cost more than the row.
  // TabSeparated rather than JSON: a row is split on tabs and unescaped only when it holds a backslash,
  // which costs a third of parsing it as JSON.
  async function* chunksOf(client: ClickHouseClient, sql: string): AsyncGenerator<Array<{ text: string }>> {
    const result = await client.query({
      query: sql,
      format: "TabSeparated",
      // A selection names its flagged values in the query, which may outgrow the default 256 KiB (and
      // only then is the setting sent: a readonly=1 user may change none).
      ...querySettings(sql),
      ...(signal === undefined ? {} : { abort_signal: signal }),
    });
    yield* result.stream();
  }

  // The raw-line column is the row's first cell, the key its second; with a selection, each row's number
  // comes first, its bytes last.
  async function* readLines({
    client,
    sql,
    keyColumn,
    selection,
  }: {
    client: ClickHouseClient;
    sql: string;
    keyColumn: string | undefined;
    selection?: LineSelection | undefined;
  }): AsyncGenerator<RecordBatch> {
    const keyed = keyColumn !== undefined;
    let parser: LineParser | null = null;
    if (selection !== undefined) {
      parser = createParser(selection.spec);
      format = selection.format;
      warnings.push(...selection.warnings);
    }
    const at = selection === undefined ? 0 : 1;
    // Rows streamed back, and their bytes as the table holds them (as `totals` counts them).
    let returned = 0;
    let returnedBytes = 0;
    let batch: RecordBatch = { records: [], rejections: [], blank: 0, read: 0 };
    // Rows wait here while the first non-blank lines are sampled, as readInputs does for a file.
    const pending: Array<{ ordinal: number; line: string | null; key: unknown }> = [];
    let sampled = 0;
    let ordinal = 0;
    // As for a file: blank and overlong lines are not sampled.
    const sampleable = (line: string | null) =>
      line !== null && !isBlank(line) && line.length <= maxLineLength;
    const reject = (line: number, reason: string, text: string) => {
      if (strict) throw new InputError(`${source}:${line}: ${reason}`);
      batch.rejections.push({ source, line, reason, excerpt: text.slice(0, EXCERPT_LENGTH) });
    };
    const take = (row: { ordinal: number; line: string | null; key: unknown }) => {
      batch.read++;
      const { line } = row;
      if (line === null) return reject(row.ordinal, `${column} is NULL`, "");
      if (isBlank(line)) {
        batch.blank++;
        return;
      }
      if (line.length > maxLineLength)
        return reject(row.ordinal, `line longer than ${maxLineLength} characters`, line);
      const parsed = parser!.parse(line, source, row.ordinal);
      if (typeof parsed === "string") return reject(row.ordinal, parsed, line);
      if (keyed) addPrimaryKey(parsed, row.key);
      batch.records.push(parsed);
    };
    const resolve = () => {
      const lines = pending.flatMap((p) => (sampleable(p.line) ? [p.line!] : []));
      const result = resolveFormat({ spec, lines });
      parser = createParser(result.spec);
      format = spec.name === "auto" ? `${parser.description}, auto-detected` : parser.description;
      if (result.sampled > 0 && result.parsed * 2 < result.sampled) {
        warnings.push(
          `${source}: only ${result.parsed} of ${result.sampled} sample lines parse as ${parser.description}; name the format if that is not it`,
        );
      }
      for (const row of pending) take(row);
      pending.length = 0;
    };
    const finish = (): RecordBatch => {
      const layouts = parser?.takeLayouts?.() ?? null;
      if (layouts !== null) batch.layouts = layouts;
      const done = batch;
      batch = { records: [], rejections: [], blank: 0, read: 0 };
      addBatch(stats, done);
      onProgress?.(stats);
      return done;
    };
    for await (const chunk of chunksOf(client, sql))
      for (const raw of chunk) {
        const cells = raw.text.split("\t");
        ordinal = at === 0 ? ordinal + 1 : Number(cells[0]);
        const line = lineOf(tsvValue(cells[at]));
        if (line !== null) stats.bytes += Buffer.byteLength(line) + 1;
        if (at !== 0) {
          returned++;
          returnedBytes += Number(cells[at + 2]);
        }
        const entry = { ordinal, line, key: keyed ? tsvValue(cells[at + 1]) : undefined };
        if (parser === null) {
          pending.push(entry);
          if (sampleable(line) && ++sampled === SNIFF_LINES) resolve();
        } else take(entry);
        if (batch.read >= batchSize) yield finish();
      }
    // Only NULL and blank rows need no parser; any other row resolves the format from what was sampled.
    if (pending.length > 0) {
      if (sampled > 0) resolve();
      else for (const row of pending) take(row);
    }
    if (batch.read > 0) yield finish();
    if (selection === undefined) return;
    // Rows the selection left in ClickHouse: lines the parser reads as records of the layout, not scored.
    const totals = await selection.totals();
    const left = totals.rows - returned;
    if (left > 0) {
      addUnscored(stats, { records: left, layout: selection.layout });
      stats.bytes += totals.bytes - returnedBytes;
      onProgress?.(stats);
    }
  }

  // A row's cells: its line when `total` is given, the fields, the extras, then the key if any.
  async function* readFields(
    client: ClickHouseClient,
    sql: string,
    fields: readonly string[],
    extras: readonly string[],
    keyColumn: string | undefined,
    /** Rows in the table when `sql` selects some: each row's first cell is then its line. */
    total?: number,
  ): AsyncGenerator<RecordBatch> {
    // An extra's name is the table's or query's column's, quoted: it may hold anything.
    const shown = [...fields, ...extras.map((name) => `extra ${JSON.stringify(name)}`)];
    format = `clickhouse columns (${shown.join(", ")})`;
    const at = total === undefined ? 0 : 1;
    let batch: RecordBatch = { records: [], rejections: [], blank: 0, read: 0 };
    let ordinal = 0;
    const finish = (): RecordBatch => {
      const done = batch;
      batch = { records: [], rejections: [], blank: 0, read: 0 };
      addBatch(stats, done);
      onProgress?.(stats);
      return done;
    };
    for await (const chunk of chunksOf(client, sql))
      for (const raw of chunk) {
        const cells = raw.text.split("\t");
        const row: Record<string, string | null> = {};
        fields.forEach((field, i) => (row[field] = tsvValue(cells[at + i])));
        ordinal++;
        const line = at === 0 ? ordinal : Number(cells[0]);
        const values = extras.map((name, i) => ({ name, value: tsvValue(cells[at + fields.length + i]) }));
        const record = recordOf({ row, fields, extras: values, source, line });
        if (keyColumn !== undefined)
          addPrimaryKey(record, tsvValue(cells[at + fields.length + extras.length]));
        stats.bytes += Buffer.byteLength(record.raw) + 1;
        batch.read++;
        batch.records.push(record);
        if (batch.read >= batchSize) yield finish();
      }
    if (batch.read > 0) yield finish();
    // Rows the selection left in ClickHouse: read and parsed like the others, only not scored.
    if (total !== undefined && total > ordinal) {
      addUnscored(stats, { records: total - ordinal });
      onProgress?.(stats);
    }
  }

  // Columns named like record fields, of a table or of the wrapped query: with a key and a selection,
  // only the rows it keeps come back.
  async function* readParsed(
    client: ClickHouseClient,
    relation: Relation,
    key: string | undefined,
  ): AsyncGenerator<RecordBatch> {
    const { from, fields, extras, prefix } = relation;
    const selection =
      key === undefined || options.select === undefined
        ? null
        : await options.select({ client, ...relation, extras: readExtras(relation) });
    const columns = [...fields.map((f) => chIdentifier(f)), ...extras.values()];
    const names = [...extras.keys()];
    if (selection !== null) {
      const [count] = await selectRows(client, `SELECT count() AS n FROM ${from}`, signal);
      const sql = numberedSql({ columns, from, key: key!, prefix, ...selection });
      yield* readFields(client, sql, fields, names, key, Number(count!.n));
    } else {
      const keySql = key === undefined ? "" : `, ${chIdentifier(key)}`;
      const order = key === undefined ? "" : ` ORDER BY ${chIdentifier(key)}`;
      const sql = `SELECT ${columns.join(", ")}${keySql} FROM ${from}${order}`;
      yield* readFields(client, sql, fields, names, key);
    }
  }

  async function* iterate(): AsyncGenerator<RecordBatch> {
    Object.assign(stats, emptyStats());
    warnings.length = 0;
    format = null;
    signal?.throwIfAborted();
    const client = await connectClickHouse(target);
    try {
      if (query !== undefined) {
        const relation = await queryRelation({ client, query, source, primaryKey, signal });
        yield* readParsed(client, relation, primaryKey);
        signal?.throwIfAborted();
        return;
      }
      const { columns, key, raw } = await tableColumns({
        client,
        target,
        table: table!,
        column,
        primaryKey,
        signal,
      });
      const from = `${chIdentifier(target.database)}.${chIdentifier(table!)}`;
      const keySql = key === undefined ? "" : `, ${chIdentifier(key.name)}`;
      const order = key === undefined ? "" : ` ORDER BY ${chIdentifier(key.name)}`;
      const selection =
        raw === undefined || key === undefined || options.selectLines === undefined
          ? null
          : await options.selectLines({
              client,
              target,
              table: table!,
              column: raw.name,
              primaryKey: key.name,
            });
      if (selection !== null) {
        yield* readLines({ client, sql: selection.sql, keyColumn: key!.name, selection });
      } else if (raw !== undefined) {
        const sql = `SELECT ${chIdentifier(raw.name)}${keySql} FROM ${from}${order}`;
        yield* readLines({ client, sql, keyColumn: key?.name });
      } else {
        // Columns named like record fields are those fields; every other one is an extra field.
        const relation = tableRelation({
          database: target.database,
          table: table!,
          columns,
          primaryKey: key?.name,
          source,
        });
        if (relation.fields.length === 0) {
          throw new InputError(
            `${source}: no column is named like a record field (${TABLE_FIELDS.join(", ")}); name a raw-line column with --column`,
          );
        }
        yield* readParsed(client, relation, key?.name);
      }
      signal?.throwIfAborted();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof InputError) throw error;
      throw connectionError(target, error);
    } finally {
      await client.close();
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
