import type { ClickHouseClient } from "@clickhouse/client";
import {
  DEFAULT_MAX_LINE_LENGTH,
  SNIFF_LINES,
  addBreakdown,
  addRejectionClasses,
  createFitter,
  createParser,
  emptyStats,
  fitFromCounts,
  MAPPABLE_FIELDS,
  mergeShards,
  planCounts,
  prepareModel,
  resolveFormat,
  type CountQuery,
  type DerivedMapping,
  type FormatSpec,
  type InputStats,
  type LogRecord,
  type Model,
  type Pipeline,
  type RawCountRow,
  type Rejection,
} from "@oddity/core";
import { deriveJoin, type DerivedJoin } from "./derive.js";
import { chIdentifier } from "./escape.js";
import { countRowOf, countTable, selectTsv } from "./count-rows.js";
import { binSql, selectJson } from "./fit.js";
import { aliasPrefix, splitLines, type LineSplit, type SqlLayout } from "./lines-sql.js";
import { isBlank, lineOf, tableColumns } from "./read.js";
import { tsvValue } from "./tsv.js";
import { coveringQueries, withRolledUp } from "./rollup.js";
import type { ClickHouseTarget } from "./url.js";

// An aborted query fails with the client's own error: the caller gets the signal's reason, as from the
// streamed read.
async function abortable<T>({
  signal,
  work,
}: {
  signal: AbortSignal | undefined;
  work: () => Promise<T>;
}): Promise<T> {
  try {
    signal?.throwIfAborted();
    return await work();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/** How a raw-line column will be split in ClickHouse: settled once by {@link planLineSplit}. */
export interface LineSplitPlan {
  /** What records and rejections name as their `source`: the masked URL and the table. */
  source: string;
  /** The layout the SQL splits; oddity's parser reads the other lines with `leftoverFormat`. */
  layout: SqlLayout;
  leftoverFormat: FormatSpec;
  /** The format as the streamed read names it (`combined, auto-detected`). */
  format: string;
  /** What sniffing doubted, worded as the streamed read words it. */
  warnings: string[];
  /** The raw-line column's name. */
  column: string;
  maxLineLength: number;
  from: string;
  /** ORDER BY of the line numbers: the key column, or none (rows numbered as the cluster returns them). */
  order: string;
  split: LineSplit;
}

// Rows per page while sampling the first lines for the format.
const SAMPLE_PAGE = 1000;
const EXCERPT_LENGTH = 200;
// LIMIT of the subquery that numbers the rows: no predicate is pushed into a subquery with a LIMIT, which
// would number the filtered rows instead of all of them.
const NO_LIMIT = "18446744073709551615";

/**
 * Settles how `column` of `table` will be split in ClickHouse: checks the table and columns (as the
 * streamed read does, with the same errors), and resolves the format from the first 50 non-blank lines
 * (in `primaryKey` order when given) as the streamed read would. Returns null when that format is not one
 * the SQL splits (only common and combined are; read such a table with `readClickHouse`) or there is no
 * line to tell it by (nor for a LowCardinality or FixedString column).
 */
export async function planLineSplit(options: Parameters<typeof planSplit>[0]): Promise<LineSplitPlan | null> {
  return abortable({ signal: options.signal, work: () => planSplit(options) });
}

async function planSplit({
  client,
  target,
  table,
  column,
  primaryKey,
  format = { name: "auto" },
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  signal,
}: {
  client: ClickHouseClient;
  target: Pick<ClickHouseTarget, "database" | "display">;
  table: string;
  column: string;
  primaryKey?: string | undefined;
  format?: FormatSpec | undefined;
  maxLineLength?: number | undefined;
  signal?: AbortSignal | undefined;
}): Promise<LineSplitPlan | null> {
  const source = `${target.display}#${table}`;
  const { columns, key, raw } = await tableColumns({
    client,
    target,
    table,
    column,
    primaryKey,
    signal,
  });
  const from = `${chIdentifier(target.database)}.${chIdentifier(table)}`;
  const order = key === undefined ? "" : ` ORDER BY ${chIdentifier(key.name)}`;
  // 18.16's string functions fail on its experimental LowCardinality and take no FixedString (whose
  // padding the stream reads, and which toString drops): such columns are streamed instead.
  if (raw!.type.includes("LowCardinality") || raw!.type.includes("FixedString")) return null;
  const name = chIdentifier(raw!.name);
  // The first non-blank lines, as the streamed read samples them: blank and overlong lines are skipped.
  const sample: string[] = [];
  for (let offset = 0; sample.length < SNIFF_LINES; offset += SAMPLE_PAGE) {
    const rows = await selectJson({
      client,
      sql: `SELECT ${name} AS line FROM ${from}${order} LIMIT ${offset}, ${SAMPLE_PAGE}`,
      signal,
    });
    for (const row of rows) {
      const line = lineOf(row.line);
      if (line !== null && !isBlank(line) && line.length <= maxLineLength && sample.length < SNIFF_LINES)
        sample.push(line);
    }
    if (rows.length < SAMPLE_PAGE) break;
  }
  if (sample.length === 0) return null;
  const resolved = resolveFormat({ spec: format, lines: sample });
  const spec = resolved.spec;
  const layout = spec.name === "ncsa" ? spec.layout : spec.name;
  if (layout !== "common" && layout !== "combined") return null;
  const parser = createParser(spec);
  const warnings: string[] = [];
  if (resolved.sampled > 0 && resolved.parsed * 2 < resolved.sampled) {
    warnings.push(
      `${source}: only ${resolved.parsed} of ${resolved.sampled} sample lines parse as ${parser.description}; name the format if that is not it`,
    );
  }
  return {
    source,
    layout,
    leftoverFormat: spec,
    format: format.name === "auto" ? `${parser.description}, auto-detected` : parser.description,
    warnings,
    column: raw!.name,
    maxLineLength,
    from,
    order,
    split: splitLines({
      column: name,
      layout,
      maxLineLength,
      prefix: aliasPrefix(columns.map((c) => c.name)),
    }),
  };
}

const NOTHING = "CAST(NULL AS Nullable(String))";

/**
 * The SQL of a record field of the split: a WITH alias selected as it is loses its own alias on the way
 * to the shards (ClickHouse 18.16), so it is read through a call. NULL for a field the split never gives.
 */
export function splitField(split: LineSplit, field: string): string {
  const alias = split.fields[field];
  return alias === undefined ? NOTHING : `identity(${alias})`;
}

/**
 * The distinct values of `sql` (an expression over the split) among the lines the SQL reads, as hex in
 * `h`: the query `deriveJoin` takes. A WHERE over the split fails in 18.16 once part of it moves to
 * PREWHERE, so the lines are filtered by arraySlice (as in countAll), and NULL inputs once grouped.
 */
export function distinctOfSplit({ plan, sql }: { plan: LineSplitPlan; sql: string }): string {
  const { split } = plan;
  return `WITH ${split.with}\nSELECT hex(${sql}) AS h FROM ${plan.from} ARRAY JOIN arraySlice([0], 1, ${split.plain}) AS ${split.prefix}one GROUP BY h HAVING isNotNull(h)`;
}

/**
 * The rows of the plan's table for which `keep` holds (SQL over the split and `join`), each after its
 * 1-based number among all rows in the plan's order: TabSeparated columns the number, the line (as
 * `LineSplit.line`), then `columns`. Each shard sends every row's key and flag but the line (and the
 * columns' values) only where `keep` holds; the initiator merges the shards' sorted parts and numbers
 * the rows (`rowNumberInAllBlocks()` over the sorted subquery, which the `LIMIT` keeps any predicate
 * from being pushed into) before the others are dropped. Without a key, rows are numbered as they come.
 */
export function numberedLines({
  plan,
  keep,
  join = "",
  columns = [],
}: {
  plan: LineSplitPlan;
  keep: string;
  /** What `keep` needs after `FROM table` (empty for none). */
  join?: string;
  /** More columns: a name (a word) and its SQL, NULL where `keep` does not hold. */
  columns?: ReadonlyArray<{ name: string; sql: string }>;
}): string {
  const { split } = plan;
  // Names of the split's own aliases would clash with these: each starts with `row_`, which none does.
  const a = (name: string) => `${split.prefix}row_${name}`;
  const kept = a("kept");
  const extra = columns.map((c) => `, if(${kept}, ${c.sql}, NULL) AS ${a(c.name)}`).join("");
  const names = columns.map((c) => `, ${a(c.name)}`).join("");
  const inner = `WITH ${split.with}\nSELECT identity(${keep}) AS ${kept}, if(${kept}, identity(${split.line}), ${NOTHING}) AS ${a("line")}${extra} FROM ${plan.from}${join}${plan.order}`;
  const numbered = `SELECT rowNumberInAllBlocks() + 1 AS ${a("n")}, ${kept}, ${a("line")}${names} FROM (${inner}) LIMIT ${NO_LIMIT}`;
  return `SELECT ${a("n")}, ${a("line")}${names} FROM (${numbered}) WHERE ${kept}`;
}

/** One grouping of {@link groupingsSql}: its keys, and values each group keeps the least of. */
export interface SplitGrouping {
  /** Each key: its SQL over the split, or a derived field, read through the join on the row's input. */
  keys: ReadonlyArray<{ sql: string } | { derived: string }>;
  /** SQL of values each group keeps the least of (`min`), as text. */
  least?: readonly string[] | undefined;
}

/**
 * Every grouping in one scan of the split: each line the SQL reads becomes one row per grouping (ARRAY
 * JOIN of a tuple per grouping: its index, its keys and `least` values as text and, when a key is
 * derived, the raw input it is joined on), grouped once. Splitting a line costs more than grouping it,
 * so it is split once, not once per grouping; a Distributed table runs it all on every shard. Columns:
 * `qi` (the grouping's index), `k0…` (as many as the widest grouping has keys, NULL past a grouping's
 * own), `m0…` (likewise, the least values), `c` (the lines of the group).
 */
export function groupingsSql({
  split,
  from,
  groupings,
  derived,
  derivedKey = (field, input) => derived!.value(field, input),
}: {
  split: LineSplit;
  from: string;
  groupings: readonly SplitGrouping[];
  derived: DerivedJoin | null;
  /** A derived key's SQL, given its field and the SQL of the input (default: the joined value). */
  derivedKey?: (field: string, input: string) => string;
}): string {
  const text = (sql: string) => (sql === NOTHING ? sql : `toNullable(toString(${sql}))`);
  const isDerived = (key: { sql: string } | { derived: string }) => derived !== null && "derived" in key;
  // A derived key's slot holds NULL in the tuple, and one more slot the raw input it is joined on: the
  // join comes after the ARRAY JOIN, so each row of a grouping by templates is joined on its path.
  const width = Math.max(1, ...groupings.map((g) => g.keys.length));
  const least = Math.max(0, ...groupings.map((g) => g.least?.length ?? 0));
  const fill = (n: number) => Array<string>(n).fill(NOTHING);
  const joined = derived !== null && groupings.some((g) => g.keys.some(isDerived));
  const input = `x.${width + least + 2}`;
  const tuples = groupings.map((g, i) => {
    const keys = g.keys.map((k) => ("sql" in k ? text(k.sql) : NOTHING));
    const mins = (g.least ?? []).map(text);
    const slots = [...keys, ...fill(width - keys.length), ...mins, ...fill(least - mins.length)];
    if (joined) slots.push(g.keys.some(isDerived) ? text(derived.input) : NOTHING);
    return `tuple(toUInt16(${i}), ${slots.join(", ")})`;
  });
  const keys = Array.from({ length: width }, (_, j) => {
    const arms = groupings.flatMap((g, i) => {
      const k = g.keys[j];
      return k !== undefined && "derived" in k && derived !== null
        ? [`qi = ${i}, ${derivedKey(k.derived, input)}`]
        : [];
    });
    return arms.length === 0 ? `x.${j + 2} AS k${j}` : `multiIf(${arms.join(", ")}, x.${j + 2}) AS k${j}`;
  });
  const mins = Array.from({ length: least }, (_, j) => `min(x.${width + j + 2}) AS m${j}`);
  const group = ["qi", ...keys.map((_, j) => `k${j}`)].join(", ");
  const join = joined ? derived.join(input) : "";
  return `WITH ${split.with}\nSELECT x.1 AS qi, ${[...keys, ...mins].join(", ")}, count() AS c FROM ${from} ARRAY JOIN arraySlice([${tuples.join(", ")}], 1, ${groupings.length} * ${split.plain}) AS x${join} GROUP BY ${group}`;
}

/**
 * Every query in one scan: each line the SQL read becomes one row per query (ARRAY JOIN of a tuple per
 * query: its index and its keys as text), grouped once. Splitting a line costs more than counting it, so
 * it is split once, not once per query. A Distributed table runs it all on every shard.
 */
async function countAll({
  client,
  split,
  from,
  queries,
  derived,
  signal,
}: {
  client: ClickHouseClient;
  split: LineSplit;
  from: string;
  queries: readonly CountQuery[];
  derived: DerivedJoin | null;
  signal: AbortSignal | undefined;
}): Promise<{ results: Map<string, readonly RawCountRow[]>; bytes: number }> {
  const results = new Map<string, RawCountRow[]>();
  // Queries another one covers are summed from its rows in Node.
  const unique = coveringQueries(queries);
  if (unique.length === 0) return { results, bytes: 0 };
  // Format extras and `raw` are absent on every common and combined record; a derived field is keyed
  // through the join.
  const mapped = (name: string) => derived !== null && derived.fields.has(name);
  const sql = groupingsSql({
    split,
    from,
    derived,
    groupings: unique.map((q) => ({
      keys: [
        ...q.fields.map((f) => (mapped(f) ? { derived: f } : { sql: splitField(split, f) })),
        ...(q.bin === undefined
          ? []
          : binSql(splitField(split, q.bin.field), q.bin.relativeAccuracy).map((sql) => ({ sql }))),
      ],
    })),
  });
  const tables = unique.map(() => countTable());
  const bytes = await selectTsv({
    client,
    sql,
    signal,
    onRow: (text, cells) => {
      const qi = Number(cells[0]);
      tables[qi]!.add(countRowOf({ query: unique[qi]!, cells, at: 1 }), text);
    },
  });
  unique.forEach((q, i) => results.set(q.key, tables[i]!.rows()));
  return { results: withRolledUp({ queries, ran: results }), bytes };
}

/** The counts of the lines the SQL split read, and what happened to the others. */
export interface ClickHouseLineCounts {
  /** Rows per query key, over the lines the SQL split read. */
  results: Map<string, readonly RawCountRow[]>;
  /** Lines the SQL split read (each a record). */
  records: number;
  /** Their earliest and latest time (epoch ms). */
  timeRange: { from: number | null; to: number | null };
  /** `time_text` of the earliest of them (its offset is the log's), or null. */
  firstTimeText: string | null;
  /** Every row: read = parsed (in SQL and handed back) + rejected + blank, as the streamed read counts. */
  stats: InputStats;
  /** Every rejected row, by line number. */
  rejections: Rejection[];
  /** Lines the SQL could not split, handed to oddity's own parser (parsed or rejected there). */
  handedBack: number;
  /**
   * Characters of what the cluster sent back (count rows, distinct paths, handed-back rows, the summary)
   * as the client decoded it: the text before compression, not what crossed the wire.
   */
  bytes: number;
}

/**
 * Computes every query as a GROUP BY over the lines of the column, split in ClickHouse SQL (a Distributed
 * table splits and counts on every shard); only the count rows come back, and the lines the SQL does not
 * split (`WHERE NOT plain`). Those are read by oddity's own parser, as the streamed read reads every line:
 * parsed into records (given to `onRecord`) or rejected with its reason and line number. A line's number
 * is its position in `primaryKey` order, as in the streamed read.
 */
export async function countLinesInClickHouse(
  options: Parameters<typeof countLines>[0],
): Promise<ClickHouseLineCounts> {
  return abortable({ signal: options.signal, work: () => countLines(options) });
}

async function countLines({
  client,
  plan,
  queries,
  derived = [],
  onRecord,
  signal,
}: {
  client: ClickHouseClient;
  plan: LineSplitPlan;
  queries: readonly CountQuery[];
  /** Derived fields the queries group by (a plan's `derived`), computed in the cluster. */
  derived?: readonly DerivedMapping[] | undefined;
  onRecord: (record: LogRecord) => void;
  signal?: AbortSignal | undefined;
}): Promise<ClickHouseLineCounts> {
  const { split, from } = plan;
  const fields = split.fields;
  const t = fields.time!;
  const summarize = async () => {
    const [row] = await selectJson({
      client,
      signal,
      sql: `WITH ${split.with}\nSELECT count() AS read, countIf(${split.plain}) AS records, sum(${split.bytes}) AS bytes, minIf(${t}, ${split.plain}) AS first, maxIf(${t}, ${split.plain}) AS last, argMinIf(${fields.time_text!}, ${t}, ${split.plain}) AS first_text FROM ${from}`,
    });
    return row!;
  };
  const parser = createParser(plan.leftoverFormat);
  const rejections: Rejection[] = [];
  const reject = (line: number, reason: string, text: string) =>
    rejections.push({ source: plan.source, line, reason, excerpt: text.slice(0, EXCERPT_LENGTH) });
  let blank = 0;
  let handedParsed = 0;
  let handedBack = 0;
  // The other lines, numbered among all rows in the cluster: each shard sends its rows' key and whether
  // the SQL read them (the line itself only when not), sorted; the rows are numbered in that order.
  const handBack = async () => {
    let bytes = 0;
    const leftovers = await client.query({
      query: numberedLines({ plan, keep: `NOT ${split.plain}` }),
      format: "TabSeparated",
      ...(signal === undefined ? {} : { abort_signal: signal }),
    });
    for await (const chunk of leftovers.stream()) {
      for (const row of chunk) {
        bytes += row.text.length + 1;
        const tab = row.text.indexOf("\t");
        const n = Number(row.text.slice(0, tab));
        const line = lineOf(tsvValue(row.text.slice(tab + 1)));
        // As the streamed read takes a row: NULL, blank, overlong, then oddity's parser.
        if (line === null) {
          reject(n, `${plan.column} is NULL`, "");
          continue;
        }
        handedBack++;
        if (isBlank(line)) {
          blank++;
          continue;
        }
        if (line.length > plan.maxLineLength) {
          reject(n, `line longer than ${plan.maxLineLength} characters`, line);
          continue;
        }
        const record = parser.parse(line, plan.source, n);
        if (typeof record === "string") reject(n, record, line);
        else {
          handedParsed++;
          onRecord(record);
        }
      }
    }
    return bytes;
  };
  // Three scans the cluster runs side by side, while Node reads what each sends.
  // The distinct raw values behind derived fields come first: the count's query holds their mapping.
  const count = async () => {
    const mapped = await deriveJoin({
      client,
      derived,
      input: (field) => splitField(split, field),
      distinct: (x) => distinctOfSplit({ plan, sql: x }),
      prefix: `${split.prefix}derived_`,
      signal,
    });
    const got = await countAll({ client, split, from, queries, derived: mapped.join, signal });
    return { ...got, bytes: got.bytes + mapped.bytes };
  };
  const [counted, summary, leftoverBytes] = await Promise.all([count(), summarize(), handBack()]);
  const bytes = counted.bytes + JSON.stringify(summary).length + leftoverBytes;
  const records = Number(summary.records);
  const at = (v: unknown) => (records === 0 ? null : Number(v));
  const parsed = records + handedParsed;
  // Without a key the cluster numbers rows as they come, not in order.
  rejections.sort((a, b) => a.line - b.line);
  const stats = emptyStats();
  stats.read = Number(summary.read);
  stats.parsed = parsed;
  stats.rejected = rejections.length;
  stats.blank = blank;
  stats.bytes = Number(summary.bytes);
  // Records per layout as the NCSA reader counts them: every line the SQL read is of its leading layout.
  if (plan.leftoverFormat.name === "ncsa") {
    if (records > 0) addBreakdown(stats, { layouts: { [plan.layout]: records } });
    const handed = parser.takeLayouts?.() ?? null;
    if (handed !== null) addBreakdown(stats, { layouts: handed });
  }
  addRejectionClasses(stats, rejections);
  const firstText = summary.first_text;
  return {
    results: counted.results,
    records,
    timeRange: { from: at(summary.first), to: at(summary.last) },
    firstTimeText: typeof firstText === "string" && firstText !== "" ? firstText : null,
    stats,
    rejections,
    handedBack,
    bytes,
  };
}

/** A model fitted from a raw-line column in ClickHouse, and what the reading saw. */
export interface ClickHouseLineFit {
  model: Model;
  stats: InputStats;
  /** Every rejected row, by line number. */
  rejections: Rejection[];
  /** Lines the SQL could not split, handed to oddity's own parser. */
  handedBack: number;
  /** Characters of text the cluster sent back, as decoded (see {@link ClickHouseLineCounts.bytes}). */
  bytes: number;
}

/**
 * Fits `pipeline` on a raw-line column split in ClickHouse (see {@link countLinesInClickHouse}): the
 * declared counts are computed in the cluster and folded into the detectors, the records of the lines
 * handed back are observed in Node and merged in. The model equals `oddity fit`'s of the same lines but
 * for `sources`, and the stats and rejections are the streamed read's.
 */
export async function fitLinesInClickHouse({
  pipeline,
  client,
  plan,
  signal,
}: {
  pipeline: Pipeline;
  client: ClickHouseClient;
  plan: LineSplitPlan;
  signal?: AbortSignal | undefined;
}): Promise<ClickHouseLineFit> {
  // Templates, endpoints and queries are grouped by in the cluster: a row per template, not per path.
  const counts = planCounts(pipeline, "ClickHouse", { derive: MAPPABLE_FIELDS });
  const fitter = createFitter(pipeline);
  const got = await countLinesInClickHouse({
    client,
    plan,
    queries: counts.queries,
    derived: counts.derived,
    onRecord: (record) => fitter.observe(record),
    signal,
  });
  const counted = fitFromCounts({
    pipeline,
    plan: counts,
    results: got.results,
    records: got.records,
    timeRange: got.timeRange,
    sources: got.records === 0 ? [] : [plan.source],
    prepare: false,
  });
  const rest = fitter.finish({ prepare: false });
  const model = rest.meta.records === 0 ? prepareModel(counted) : mergeShards([counted, rest]);
  return {
    model,
    stats: got.stats,
    rejections: got.rejections,
    handedBack: got.handedBack,
    bytes: got.bytes,
  };
}
