import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import {
  DEFAULT_MAX_LINE_LENGTH,
  InputError,
  binMinimum,
  binMultiplier,
  createFitter,
  createParser,
  emptyStats,
  RECORD_FIELDS,
  type FormatSpec,
  addBreakdown,
  addRejectionClasses,
  fitFromCounts,
  mergeShards,
  planCounts,
  prepareModel,
  type CountQuery,
  type CountResults,
  type LogRecord,
  type InputStats,
  type Model,
  type Pipeline,
  type RawCountRow,
  type Rejection,
} from "@oddity/core";
import { splitLinesSql, type SqlLayout } from "./clf-sql.js";
import { sqlNumber, sqlString } from "./sql-text.js";

/** What `fitWithDuckDB` reads. */
export interface DuckDBFitOptions {
  pipeline: Pipeline;
  /** Log files, plain or `.gz` (already expanded from globs; each is read as one file). */
  files: readonly string[];
  layout: SqlLayout;
  /**
   * The format oddity's parser reads the lines the SQL split hands back with (default: `layout` itself);
   * `{ name: "ncsa" }` for auto-detected logs, so a line with trailing fields is read as `oddity fit` reads it.
   */
  leftoverFormat?: FormatSpec;
  /** DuckDB threads (`--jobs`). */
  threads?: number;
  maxLineLength?: number;
}

/** A fitted model and what the reading saw, as `oddity fit` reports it. */
export interface DuckDBFit {
  model: Model;
  stats: InputStats;
  /** Every rejected line, in input order. */
  rejections: Rejection[];
  /** Lines the SQL split could not read, handed to oddity's own parser (parsed or rejected there). */
  handedBack: number;
}

// Raw fields the SQL split yields, as columns of the `parsed` table.
// Every record field but the raw line is a column of the `parsed` table the SQL split yields.
const COLUMNS = new Set<string>(RECORD_FIELDS.filter((field) => field !== "raw"));

function column(field: string): string {
  if (field === "line") return "CAST(n AS DOUBLE)";
  if (field === "time") return `CAST("time" AS DOUBLE)`;
  if (COLUMNS.has(field)) return `"${field}"`;
  // `raw` and format extras: common and combined lines carry none, so every record has null.
  return "CAST(NULL AS VARCHAR)";
}

/** One GROUP BY over the plainly split lines for a declared count. */
function countSql(query: CountQuery): string {
  const keys = query.fields.map((f, i) => `${column(f)} AS k${i}`);
  if (query.bin !== undefined) {
    const x = column(query.bin.field);
    const min = sqlNumber(binMinimum(query.bin.relativeAccuracy));
    const mult = sqlNumber(binMultiplier(query.bin.relativeAccuracy));
    keys.push(
      `CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} > ${min} THEN 1 WHEN ${x} < -${min} THEN -1 ELSE 0 END AS bin_sign`,
      `CASE WHEN ${x} > ${min} THEN ceil(log2(${x}) * ${mult}) WHEN ${x} < -${min} THEN ceil(log2(-${x}) * ${mult}) ELSE 0 END AS bin_key`,
    );
  }
  const groups = keys.length === 0 ? "" : `${keys.join(", ")}, `;
  return `SELECT ${groups}CAST(count(*) AS DOUBLE) AS c FROM parsed WHERE plain${keys.length === 0 ? "" : " GROUP BY ALL"}`;
}

function toRaw(query: CountQuery, row: readonly unknown[]): RawCountRow {
  const values = query.fields.map((_, i) => row[i] as string | number | null);
  const count = row[row.length - 1] as number;
  if (query.bin === undefined) return { values, count };
  const sign = row[query.fields.length] as number | null;
  const key = row[query.fields.length + 1] as number;
  return { values, bin: sign === null ? null : { sign: sign as -1 | 0 | 1, key }, count };
}

function linesSql(files: readonly string[], maxLineLength: number): string {
  for (const file of files) {
    // DuckDB reads glob characters in a file name as a pattern; the CLI has expanded globs already.
    if (/[*?[\]{}]/.test(file)) {
      throw new InputError(
        `${file}: DuckDB would read this file name as a glob; rename the file or fit without --engine`,
      );
    }
  }
  const options = `columns = {'line': 'VARCHAR'}, header = false, quote = '', escape = '', auto_detect = false, strict_mode = false, delim = '\u001f\u001e\u001d\u001c', max_line_size = ${sqlNumber(maxLineLength * 4 + 16)}`;
  return files
    .map(
      (file, i) =>
        `SELECT ${i} AS src, ${sqlString(file)} AS source, ordinality AS n, line FROM read_csv(${sqlString(file)}, ${options}) WITH ORDINALITY`,
    )
    .join("\nUNION ALL\n");
}

async function rowsOf(connection: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowsJS();
}

/** What `countLines` reads and counts. */
export interface DuckDBCountOptions {
  /** The grouped counts to compute (see `countQueryFor`, `planCounts`). */
  queries: readonly CountQuery[];
  /** Log files, plain or `.gz` (already expanded from globs; each is read as one file). */
  files: readonly string[];
  layout: SqlLayout;
  /** The format oddity's parser reads handed-back lines with (default: `layout` itself). */
  leftoverFormat?: FormatSpec;
  /** DuckDB threads (`--jobs`). */
  threads?: number;
  maxLineLength?: number;
  /** Receives each record parsed by oddity's parser from a line the SQL split handed back. */
  onRecord: (record: LogRecord) => void;
}

/** The counts of the lines the SQL split read, and what happened to the others. */
export interface DuckDBCounts {
  /** Rows per query key, over the lines the SQL split read. */
  results: CountResults;
  /** Lines the SQL split read (each a record). */
  records: number;
  /** Their earliest and latest time (epoch ms). */
  timeRange: { from: number | null; to: number | null };
  /** Every line: read = parsed (SQL and handed back) + rejected + blank. */
  stats: InputStats;
  /** Every rejected line, in input order. */
  rejections: Rejection[];
  /** Lines the SQL split could not read, handed to oddity's own parser (parsed or rejected there). */
  handedBack: number;
}

/**
 * Reads the files in DuckDB, splits each line in SQL and computes every query as a GROUP BY over the
 * split lines; only the count rows come back. Lines the SQL split does not read exactly are handed to
 * oddity's own parser, which parses them into records (given to `onRecord`) or rejects them with its
 * usual reason and line number.
 */
export async function countLines({
  queries,
  files,
  layout,
  leftoverFormat = { name: layout },
  threads = 1,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  onRecord,
}: DuckDBCountOptions): Promise<DuckDBCounts> {
  const instance = await DuckDBInstance.create(":memory:", {
    threads: String(Math.max(1, Math.floor(threads))),
    // Offline: nothing is downloaded; reading text and gzip is built in.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TEMP VIEW lines AS ${linesSql(files, maxLineLength)}`);
    try {
      await connection.run(`CREATE TEMP TABLE parsed AS ${splitLinesSql({ layout, maxLineLength })}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new InputError(`DuckDB could not read ${files.join(", ")}: ${reason}; fit without --engine`, {
        cause: error,
      });
    }
    const results = new Map<string, RawCountRow[]>();
    for (const query of queries) {
      const rows = await rowsOf(connection, countSql(query));
      results.set(
        query.key,
        rows.map((row) => toRaw(query, row)),
      );
    }
    const [summary] = await rowsOf(
      connection,
      `SELECT CAST(count(*) FILTER (WHERE plain) AS DOUBLE), CAST(min("time") FILTER (WHERE plain) AS DOUBLE), CAST(max("time") FILTER (WHERE plain) AS DOUBLE), CAST(count(*) AS DOUBLE) FROM parsed`,
    );
    const [nullRow] = await rowsOf(
      connection,
      `SELECT CAST(count(*) AS DOUBLE) FROM lines WHERE line IS NULL`,
    );
    const [plainCount, from, to, nonNull] = summary as [number, number | null, number | null, number];
    const nullLines = nullRow![0] as number;

    // The lines left to oddity's parser, in input order.
    const leftovers = (await rowsOf(
      connection,
      `SELECT source, CAST(n AS DOUBLE), line FROM parsed WHERE NOT plain ORDER BY src, n`,
    )) as Array<[string, number, string]>;
    const parser = createParser(leftoverFormat);
    const rejections: Rejection[] = [];
    let blank = nullLines;
    let parsed = plainCount;
    for (const [source, n, line] of leftovers) {
      if (line.trim().length === 0) {
        blank++;
        continue;
      }
      if (line.length > maxLineLength) {
        rejections.push({
          source,
          line: n,
          reason: `line longer than ${maxLineLength} characters`,
          excerpt: line.slice(0, 200),
        });
        continue;
      }
      const record = parser.parse(line, source, n);
      if (typeof record === "string") {
        rejections.push({ source, line: n, reason: record, excerpt: line.slice(0, 200) });
      } else {
        parsed++;
        onRecord(record);
      }
    }
    const stats = emptyStats();
    stats.read = nonNull + nullLines;
    stats.parsed = parsed;
    stats.rejected = rejections.length;
    stats.blank = blank;
    // Records per layout and rejections per reason, as oddity's own reader counts them (the SQL split
    // reads only the NCSA reader's leading layout).
    if (leftoverFormat.name === "ncsa") {
      if (plainCount > 0) addBreakdown(stats, { layouts: { [layout]: plainCount } });
      const handedBack = parser.takeLayouts?.() ?? null;
      if (handedBack !== null) addBreakdown(stats, { layouts: handedBack });
    }
    addRejectionClasses(stats, rejections);
    return {
      results,
      records: plainCount,
      timeRange: { from, to },
      stats,
      rejections,
      handedBack: leftovers.length,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Fits `pipeline` in DuckDB: the detectors' declared counts are computed by {@link countLines} and
 * folded into them; records of the lines handed back are observed in Node and merged in. So the model
 * equals `oddity fit` of the same lines, in every field but `sources`.
 */
export async function fitWithDuckDB({ pipeline, ...options }: DuckDBFitOptions): Promise<DuckDBFit> {
  const plan = planCounts(pipeline, "--engine duckdb");
  const fitter = createFitter(pipeline);
  const counts = await countLines({
    ...options,
    queries: plan.queries,
    onRecord: (record) => fitter.observe(record),
  });
  const counted = fitFromCounts({
    pipeline,
    plan,
    results: counts.results,
    records: counts.records,
    timeRange: counts.timeRange,
    sources: options.files,
    prepare: false,
  });
  const rest = fitter.finish({ prepare: false });
  const model = rest.meta.records === 0 ? prepareModel(counted) : mergeShards([counted, rest]);
  return { model, stats: counts.stats, rejections: counts.rejections, handedBack: counts.handedBack };
}
