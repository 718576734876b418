import type { ClickHouseClient } from "@clickhouse/client";
import {
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
  type CountQuery,
  type DerivedMapping,
  type InputStats,
  type LogRecord,
  type Model,
  type Pipeline,
  type RawCountRow,
  type Rejection,
} from "@oddity/core";
import { deriveJoin, type DerivedJoin } from "./derive.js";
import { countRowOf, countTable, selectTsv } from "./count-rows.js";
import { binSql, selectJson } from "./fit.js";
import type { LineSplit } from "./lines-sql.js";
import { addPrimaryKey, isBlank, lineOf } from "./read.js";
import { tsvValue } from "./tsv.js";
import { coveringQueries, withRolledUp } from "./rollup.js";
import { abortable, type LineSplitPlan } from "./line-plan.js";
import { distinctOfSplit, groupingsSql, numberedLines, splitField } from "./split-queries.js";

const EXCERPT_LENGTH = 200;

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
    // With a key, each record gets it as the streamed read gives it.
    const key = fields.primary_key;
    const leftovers = await client.query({
      query: numberedLines({
        plan,
        keep: `NOT ${split.plain}`,
        columns: key === undefined ? [] : [{ name: "key", sql: key }],
      }),
      format: "TabSeparated",
      ...(signal === undefined ? {} : { abort_signal: signal }),
    });
    for await (const chunk of leftovers.stream()) {
      for (const row of chunk) {
        bytes += row.text.length + 1;
        // TabSeparated escapes tabs within a value: each tab ends a cell.
        const [number, text, keyText] = row.text.split("\t");
        const n = Number(number);
        const line = lineOf(tsvValue(text));
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
          addPrimaryKey(record, tsvValue(keyText));
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
