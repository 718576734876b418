import { statSync } from "node:fs";
import {
  DEFAULT_MAX_LINE_LENGTH,
  InputError,
  addBreakdown,
  addRejectionClasses,
  createParser,
  representativesOf,
  emptyStats,
  type CountQuery,
  type CountResults,
  type DerivedMapping,
  type FormatSpec,
  type InputStats,
  type LogRecord,
  type Model,
  type CandidateRow,
  type RawCountRow,
  type RecordStream,
  type Rejection,
} from "@oddity/core";
import { splitLinesSql, type SqlLayout } from "./clf-sql.js";
import {
  firstLineBytes,
  isLineTooLong,
  isParquet,
  linesSql,
  maxLineBytes,
  parquetColumns,
  parquetRecordsSql,
} from "./inputs.js";
import { candidateRows, groupedRows } from "./grouping-sets.js";
import { isFieldColumn, joinDerived, rowsOf, type Joined } from "./columns.js";
import { sqlNumber, sqlString } from "./sql-text.js";
import { memoryError, openInstance, type DuckDBResources } from "./instance.js";
import { handBack } from "./hand-back.js";
import { packedSql } from "./packed-rows.js";
import { explained, streamRecords, type FileInfo } from "./record-stream.js";

/** What `openScan` reads. */
export interface DuckDBScanOptions extends DuckDBResources {
  /**
   * Files, already expanded from globs, each read as one: log files (plain or `.gz`, split in SQL by
   * `layout`) and Parquet files (`.parquet`): with `column`, that column holds raw log lines; without,
   * the columns are the record fields (`ip`, `time`, `status` ...).
   */
  files: readonly string[];
  layout: SqlLayout;
  /**
   * The format oddity's parser reads the lines the SQL split hands back with (default: `layout` itself);
   * `{ name: "ncsa" }` for auto-detected logs, so a line with trailing fields is read as `oddity fit` reads it.
   */
  leftoverFormat?: FormatSpec;
  /** The Parquet column that holds raw log lines. */
  column?: string | undefined;
  maxLineLength?: number;
  /** Keep every line for the records' `raw` (needed by `records`, not by `count`). */
  keepLines?: boolean;
  /**
   * Keep the fields as columns for `count` (default true). A scan only streamed back (`score`) keeps
   * just the packed rows, which saves DuckDB the memory of the columns.
   */
  countable?: boolean;
  /**
   * The record fields `count` will read, when known before the scan (a fit's plan): the others are not
   * kept, which saves DuckDB their memory. Default: every field. Ignored with `keepLines`, whose records
   * need every field.
   */
  countedFields?: readonly string[];
  /**
   * Aborting it (Ctrl-C) interrupts the query DuckDB is running: the scan's promises and its record
   * stream reject with the signal's reason, at once rather than when the query would have ended.
   */
  signal?: AbortSignal | undefined;
}

/** The counts of the lines the SQL split read, and what happened to the others. */
export interface DuckDBCounts {
  /** Rows per query key, over the lines the SQL split read. */
  results: CountResults;
  /** Lines the SQL split read (each a record). */
  records: number;
  /** Their earliest and latest time (epoch ms). */
  timeRange: { from: number | null; to: number | null };
  /** The sources of those records. */
  sources: string[];
  /** Every line: read = parsed (SQL and handed back) + rejected + blank. */
  stats: InputStats;
  /** Every rejected line, in input order. */
  rejections: Rejection[];
  /** Lines the SQL split could not read, handed to oddity's own parser (parsed or rejected there). */
  handedBack: number;
}

/** Files read once into DuckDB and split there; count them, stream them back as records, or both. */
export interface DuckDBScan {
  /**
   * Computes every query as a GROUP BY over the split lines; only the count rows come back. Lines the
   * SQL split does not read exactly are handed to oddity's own parser, which parses them into records
   * (given to `onRecord`) or rejects them with its usual reason and line number.
   */
  count(options: {
    queries: readonly CountQuery[];
    /** Derived fields the queries group by (`CountPlan.derived`): oddity's values are joined on. */
    derived?: readonly DerivedMapping[];
    onRecord: (record: LogRecord) => void;
  }): Promise<DuckDBCounts>;
  /**
   * Every line again, in input order, as batches of records (split in SQL, or parsed by oddity's parser
   * when handed back), rejections and blank lines, as oddity's own reader gives them. Needs `keepLines`.
   */
  records(options?: {
    batchSize?: number;
    /** The stream's `format`, as the caller names what it read. */
    format?: string | null;
    /** The stream's `warnings` (a sniffed format that fits few lines ...). */
    warnings?: readonly string[];
    /**
     * The model the records will be scored with: when given (on a countable scan), only the records it
     * could flag come back (see `selectCandidates`); the others are counted as parsed, not streamed. Leave
     * it out when every record is needed (the HTML report).
     */
    model?: Model;
  }): RecordStream;
  /** Frees DuckDB's memory; the scan cannot be used after. */
  close(): void;
}

function toRaw(query: CountQuery, row: readonly unknown[]): RawCountRow {
  const values = query.fields.map((_, i) => row[i] as string | number | null);
  const count = row[row.length - 1] as number;
  if (query.bin === undefined) return { values, count };
  const sign = row[query.fields.length] as number | null;
  const key = row[query.fields.length + 1] as number;
  return { values, bin: sign === null ? null : { sign: sign as -1 | 0 | 1, key }, count };
}

/** The fields the queries group by, bin, or derive theirs from: all a scan that only counts must keep. */
export function fieldsRead({
  queries,
  derived = [],
}: {
  queries: readonly CountQuery[];
  derived?: readonly DerivedMapping[] | undefined;
}): string[] {
  return [
    ...queries.flatMap((q) => [...q.fields, ...(q.bin === undefined ? [] : [q.bin.field])]),
    ...derived.map((d) => d.from),
  ];
}

// The columns of a split row besides its record fields: which file and line, whether the SQL split it,
// the line when it did not, and `time`, which the counts' time range reads.
const SCAN_COLUMNS = ["src", "source", "plain", "line", "line_no", "time"];

/** The record-field columns to keep for counting `fields` (the others are not needed). */
function keptColumns(fields: readonly string[]): string[] {
  return [...new Set(fields.filter((f) => isFieldColumn(f) && !SCAN_COLUMNS.includes(f)))];
}

/**
 * Reads the files into DuckDB (one scan) and splits each line in SQL into a table `parsed`; a Parquet file
 * of parsed requests goes in as it is. Close it when done.
 */
export async function openScan({
  files,
  layout,
  leftoverFormat = { name: layout },
  column,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  keepLines = false,
  countable = true,
  countedFields,
  signal,
  ...resources
}: DuckDBScanOptions): Promise<DuckDBScan> {
  // The record fields kept as columns: null for all of them.
  const kept = keepLines || countedFields === undefined ? null : keptColumns(countedFields);
  signal?.throwIfAborted();
  const instance = await openInstance(resources);
  const connection = await instance.instance.connect().catch((error: unknown) => {
    instance.close();
    throw error;
  });
  // DuckDB stops the query it runs at its next step: an interrupted query fails (and is said as the
  // abort, `aborted`), an interrupted stream just ends (so the stream checks the signal). An abort can
  // only land while a query runs or before the first: the scan's Node work between queries is synchronous.
  const interrupt = () => connection.interrupt();
  signal?.addEventListener("abort", interrupt, { once: true });
  const aborted = (error: unknown): unknown =>
    signal?.aborted === true ? (signal.reason as unknown) : error;
  const closeAll = () => {
    signal?.removeEventListener("abort", interrupt);
    connection.closeSync();
    instance.close();
  };
  const infos: FileInfo[] = [];
  // The stream's packed row: an expression over the fields, or the column of a scan that keeps only it.
  let packed = "packed";
  // The distinct combinations the last `count` met, by query key, for selecting records (see `count`).
  const distinct = new Map<string, CandidateRow[]>();
  // The derived-field tables made for this scan, by field: counting and selecting share them.
  const derivedTables = new Map<string, Joined>();
  try {
    // Each file in its own branch of the union, in the files' order; consecutive log files share one
    // split. A branch reads as well as splits: DuckDB's threads share both. A part is made for the line
    // size the read allows (see `firstLineBytes`).
    const parts: Array<(lineBytes: number) => string> = [];
    let run: Array<{ file: string; src: number }> = [];
    const endRun = () => {
      if (run.length === 0) return;
      const files = run;
      parts.push((lineBytes) => {
        const lines = linesSql({ files, column, lineBytes });
        return `SELECT *, CAST(NULL AS DOUBLE) AS line_no FROM (${splitLinesSql({ lines, layout, maxLineLength, keepLines })})`;
      });
      run = [];
    };
    signal?.throwIfAborted();
    for (const [src, file] of files.entries()) {
      let bytes = 0;
      try {
        bytes = statSync(file).size;
      } catch {
        // DuckDB names the missing file below.
      }
      if (isParquet(file) && column === undefined) {
        const columns = await parquetColumns(connection, file).catch((error: unknown) => {
          throw readError({ files, error, memoryLimit: resources.memoryLimit });
        });
        const rawFields = columns.some((c) => c.name === "raw") ? null : columns.map((c) => c.name);
        infos.push({ file, records: true, parquet: true, rawFields, bytes });
        endRun();
        const records = parquetRecordsSql({ file, src, columns });
        parts.push(() => records);
      } else {
        infos.push({ file, records: false, parquet: isParquet(file), rawFields: null, bytes });
        run.push({ file, src });
      }
    }
    endRun();
    packed = packedSql(infos.flatMap((info, src) => (info.parquet ? [src] : [])));
    const rowsSql = (lineBytes: number) => {
      const union = parts.map((part) => `(${part(lineBytes)})`).join("\nUNION ALL BY NAME\n");
      // A scan only streamed back (not counted, so not selected from either) keeps just the packed rows,
      // built here by DuckDB's threads; a countable one keeps the fields and the lines, and packs the rows
      // it streams as it streams them (once a model selects them, few).
      return keepLines && !countable
        ? `SELECT src, ${packed} AS packed FROM (${union})`
        : kept === null
          ? union
          : `SELECT ${[...SCAN_COLUMNS, ...kept].map((c) => `"${c}"`).join(", ")} FROM (${union})`;
    };
    const first = firstLineBytes(maxLineLength);
    try {
      await connection.run(`CREATE TABLE parsed_rows AS ${rowsSql(first)}`).catch(async (error: unknown) => {
        // A line over the first read's size: read again allowing the longest line oddity reads.
        if (!isLineTooLong(error) || first >= maxLineBytes(maxLineLength)) throw error;
        await connection.run(`CREATE TABLE parsed_rows AS ${rowsSql(maxLineBytes(maxLineLength))}`);
      });
    } catch (error) {
      throw readError({ files, error, memoryLimit: resources.memoryLimit });
    }
    // Rows keep the files' order and each file's line order (DuckDB keeps insertion order through the
    // readers, SELECT and UNION ALL while preserve_insertion_order is on), so a line's number `n` is its
    // row's place among its file's rows.
    const firsts = new Map(
      (await rowsOf(connection, "SELECT src, CAST(min(rowid) AS DOUBLE) FROM parsed_rows GROUP BY src")).map(
        (row) => [Number(row[0]), row[1] as number],
      ),
    );
    const offsets = files.map((_, src) => sqlNumber(firsts.get(src) ?? 0));
    // A row without a source of its own (every line of a log file) came from its file. A scan kept only
    // as packed rows has no source column: its stream reads the file from `src`.
    const fileNames = files.map((file) => sqlString(file)).join(", ");
    const columns =
      keepLines && !countable
        ? "*"
        : `* EXCLUDE (source), coalesce(source, [${fileNames}][src + 1]) AS source`;
    await connection.run(
      `CREATE VIEW parsed AS SELECT ${columns}, rowid + 1 - [${offsets.join(", ")}][src + 1] AS n FROM parsed_rows`,
    );
  } catch (error) {
    closeAll();
    throw aborted(error);
  }

  // Out of memory past this point is said as such too, whichever query ran out; any failure after an
  // abort is the abort.
  const explain = (error: unknown): unknown =>
    aborted(memoryError({ error, memoryLimit: resources.memoryLimit }) ?? error);

  return {
    count(options) {
      return (async () => {
        signal?.throwIfAborted();
        const counts = await countRows(options);
        signal?.throwIfAborted();
        return counts;
      })().catch((error: unknown) => {
        throw explain(error);
      });
    },
    records({ batchSize = 512, format = null, warnings = [], model } = {}) {
      if (!keepLines) throw new Error("records() needs a scan opened with keepLines");
      const stats = emptyStats();
      let iterated = false;
      return {
        stats,
        warnings: [...warnings],
        format,
        [Symbol.asyncIterator]() {
          if (iterated) throw new Error("a RecordStream can be read only once");
          iterated = true;
          return explained(
            streamRecords({
              distinct,
              derivedTables,
              connection,
              model: countable ? model : undefined,
              packed: countable ? packed : "packed",
              infos,
              stats,
              batchSize: Math.max(1, batchSize),
              leftoverFormat,
              layout,
              maxLineLength,
              signal,
            }),
            explain,
          );
        },
      };
    },

    close() {
      closeAll();
    },
  };

  async function countRows({
    queries,
    derived = [],
    onRecord,
  }: Parameters<DuckDBScan["count"]>[0]): Promise<DuckDBCounts> {
    if (!countable) throw new Error("count() needs a scan opened countable");
    const missing =
      kept === null ? [] : keptColumns(fieldsRead({ queries, derived })).filter((f) => !kept.includes(f));
    if (missing.length > 0) {
      throw new Error(
        `count() reads ${missing.join(", ")}, which the scan was not opened to keep (countedFields)`,
      );
    }
    const joined = await joinDerived({ connection, derived, known: derivedTables });
    const results = new Map<string, RawCountRow[]>();
    // A scan that will be streamed back keeps each query's distinct combinations too, with a raw value
    // standing for each derived one: a footprint that groups by the same fields needs no GROUP BY of
    // its own when the records are selected (`records({ model })`).
    const groupings = queries.map((query) => ({
      fields: query.fields,
      ...(query.bin === undefined ? {} : { bin: query.bin }),
      representatives: keepLines && query.bin === undefined ? representativesOf(query) : [],
    }));
    const perGrouping = await groupedRows({ connection, groupings, joined, tag: "count" });
    queries.forEach((query, i) => {
      const rows = perGrouping[i]!;
      results.set(
        query.key,
        rows.map((row) => toRaw(query, row)),
      );
      if (!keepLines || query.bin !== undefined) return;
      distinct.set(query.key, candidateRows(groupings[i]!, rows));
    });
    const [summary] = await rowsOf(
      connection,
      `SELECT CAST(count(*) FILTER (WHERE plain) AS DOUBLE), CAST(min("time") FILTER (WHERE plain) AS DOUBLE), CAST(max("time") FILTER (WHERE plain) AS DOUBLE), CAST(count(*) AS DOUBLE) FROM parsed`,
    );
    const [plainCount, from, to, read] = summary as [number, number | null, number | null, number];
    const sources = (
      await rowsOf(connection, `SELECT DISTINCT source FROM parsed WHERE plain ORDER BY source`)
    ).map((row) => String(row[0]));
    const plainLines = (
      await rowsOf(connection, `SELECT src, CAST(count(*) AS DOUBLE) FROM parsed WHERE plain GROUP BY src`)
    ).reduce((sum, row) => sum + (infos[Number(row[0])]!.records ? 0 : (row[1] as number)), 0);

    // The lines left to oddity's parser, in input order.
    const leftovers = (await rowsOf(
      connection,
      `SELECT source, CAST(n AS DOUBLE), line FROM parsed WHERE NOT plain ORDER BY src, n`,
    )) as Array<[string, number, string | null]>;
    const parser = createParser(leftoverFormat);
    const rejections: Rejection[] = [];
    let blank = 0;
    let parsed = plainCount;
    for (const [source, n, line] of leftovers) {
      const got = handBack({ parser, source, n, line, maxLineLength });
      if (got.kind === "blank") blank++;
      else if (got.kind === "rejected") rejections.push(got.rejection);
      else {
        parsed++;
        onRecord(got.record);
      }
    }
    const stats = emptyStats();
    stats.read = read;
    stats.parsed = parsed;
    stats.rejected = rejections.length;
    stats.blank = blank;
    stats.bytes = infos.reduce((sum, info) => sum + info.bytes, 0);
    // Records per layout and rejections per reason, as oddity's own reader counts them (the SQL split
    // reads only the NCSA reader's leading layout).
    if (leftoverFormat.name === "ncsa") {
      if (plainLines > 0) addBreakdown(stats, { layouts: { [layout]: plainLines } });
      const handed = parser.takeLayouts?.() ?? null;
      if (handed !== null) addBreakdown(stats, { layouts: handed });
    }
    addRejectionClasses(stats, rejections);
    return {
      results,
      records: plainCount,
      timeRange: { from, to },
      sources,
      stats,
      rejections,
      handedBack: leftovers.filter(([, , line]) => line !== null).length,
    };
  }
}

function readError({
  files,
  error,
  memoryLimit,
}: {
  files: readonly string[];
  error: unknown;
  memoryLimit: string | undefined;
}): Error {
  if (error instanceof InputError) return error;
  const memory = memoryError({ error, memoryLimit });
  if (memory !== null) return memory;
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  // In strict mode DuckDB refuses a file it would read as other lines than oddity's reader: say which
  // kind of line (its full message quotes the line, which is not printed).
  const full = error instanceof Error ? error.message : "";
  const why = /Invalid unicode/i.test(full)
    ? " (a line is not UTF-8, which oddity's reader reads with replacement characters)"
    : /Expected Number of Columns/i.test(full)
      ? " (a line holds the bytes 1F 1E 1D 1C, DuckDB's column delimiter here)"
      : /invalid state/i.test(full)
        ? " (a line holds a carriage return that does not end it, as oddity's reader reads it)"
        : "";
  return new InputError(
    `DuckDB could not read ${files.join(", ")}: ${reason}${why}; read them without --engine`,
    { cause: error },
  );
}
