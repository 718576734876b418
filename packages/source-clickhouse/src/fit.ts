import type { ClickHouseClient } from "@clickhouse/client";
import {
  binMinimum,
  binMultiplier,
  fitFromCounts,
  MAPPABLE_FIELDS,
  planCounts,
  type CountQuery,
  type DerivedMapping,
  type Model,
  type Pipeline,
  type RawCountRow,
} from "@oddity/core";
import { countRowOf, countTable, selectTsv } from "./count-rows.js";
import { deriveJoin, querySettings, type DerivedJoin } from "./derive.js";
import { chIdentifier, chNumber } from "./escape.js";
import { querySource, readExtras } from "./query.js";
import { relationFrom, type RelationOptions } from "./relation.js";
import { coveringQueries, withRolledUp } from "./rollup.js";
import { TABLE_FIELDS } from "./table-fields.js";

function column(
  field: string,
  derived: DerivedJoin | null = null,
  extras: ReadonlyMap<string, string> = new Map(),
): string {
  if (derived?.fields.has(field)) return derived.value(field, derived.input);
  if ((TABLE_FIELDS as readonly string[]).includes(field)) return chIdentifier(field);
  // An extra is read from its column; other fields (`raw`, an extra no column gives) are absent on every
  // record.
  return extras.get(field) ?? "CAST(NULL AS Nullable(String))";
}

/** The sign and key of the sketch bin of `x` (SQL), NULL sign when it is NULL, as core's `binKey` gives them. */
export function binSql(x: string, relativeAccuracy: number): [sign: string, key: string] {
  const min = chNumber(binMinimum(relativeAccuracy));
  const mult = chNumber(binMultiplier(relativeAccuracy));
  return [
    `multiIf(isNull(${x}), NULL, ${x} > ${min}, 1, ${x} < -${min}, -1, 0)`,
    `multiIf(isNull(${x}), 0, ${x} > ${min}, ceil(log2(${x}) * ${mult}), ${x} < -${min}, ceil(log2(-${x}) * ${mult}), 0)`,
  ];
}

/**
 * One GROUP BY, run by the cluster on every shard and added up by the Distributed table; a derived field
 * of `derived` is computed by its expression, an extra field (`extras`: name → SQL of its value over
 * `table`) read from its column. The results are named with `prefix` (`k0`, `c`, … with none), which no
 * column of `table` may start with: ClickHouse would read such an alias where the column is meant.
 */
export function countQuerySql(
  query: CountQuery,
  table: string,
  {
    derived = null,
    extras = new Map(),
    prefix = "",
  }: {
    derived?: DerivedJoin | null | undefined;
    extras?: ReadonlyMap<string, string> | undefined;
    prefix?: string | undefined;
  } = {},
): string {
  const name = (result: string) => chIdentifier(`${prefix}${result}`);
  const names = query.fields.map((_, i) => name(`k${i}`));
  const keys = query.fields.map((f, i) => `${column(f, derived, extras)} AS ${names[i]}`);
  if (query.bin !== undefined) {
    const [sign, key] = binSql(column(query.bin.field), query.bin.relativeAccuracy);
    names.push(name("bin_sign"), name("bin_key"));
    keys.push(`${sign} AS ${name("bin_sign")}`, `${key} AS ${name("bin_key")}`);
  }
  const group = names.length === 0 ? "" : ` GROUP BY ${names.join(", ")}`;
  const join =
    derived !== null && query.fields.some((f) => derived.fields.has(f)) ? derived.join(derived.input) : "";
  return `SELECT ${[...keys, `count() AS ${name("c")}`].join(", ")} FROM ${table}${join}${group}`;
}

/** The rows of a query, as JSON objects. */
export async function selectJson({
  client,
  sql,
  signal,
}: {
  client: ClickHouseClient;
  sql: string;
  signal?: AbortSignal | undefined;
}): Promise<Array<Record<string, unknown>>> {
  const result = await client.query({
    query: sql,
    format: "JSONEachRow",
    ...querySettings(sql),
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  return result.json<Record<string, unknown>>();
}

/** What {@link countInClickHouse} brings back: the rows of each query by its key, and the table's totals. */
export interface ClickHouseCounts {
  results: Map<string, readonly RawCountRow[]>;
  records: number;
  /** Earliest and latest `time` (epoch ms), null when no record has one. */
  timeRange: { from: number | null; to: number | null };
  /** `time_text` of the earliest timed record (its offset is the log's), or null. */
  firstTimeText: string | null;
  /**
   * Characters of the count rows and distinct paths as the client decoded them (TabSeparated text): what
   * the cluster sent back before compression, not what crossed the wire.
   */
  bytes: number;
}

/**
 * Runs each grouped count as one GROUP BY over `database.table` (a Distributed table runs it on every
 * shard and adds the parts), or over the user's `query` as a subquery (the cluster runs the query and
 * groups its rows), plus one query for the totals; only the count rows come back.
 */
export async function countInClickHouse({
  client,
  database,
  table,
  query,
  primaryKey,
  source = query === undefined ? `${database}.${table}` : querySource(database, query),
  queries,
  derived = [],
}: RelationOptions & {
  client: ClickHouseClient;
  /** What errors name (no credentials): the masked URL and the table or query. */
  source?: string | undefined;
  queries: readonly CountQuery[];
  /** Derived fields the queries group by (a plan's `derived`), computed in the cluster. */
  derived?: readonly DerivedMapping[] | undefined;
}): Promise<ClickHouseCounts> {
  const relation = await relationFrom({ client, database, table, query, primaryKey, source });
  const { from, prefix } = relation;
  const extras = readExtras(relation);
  const results = new Map<string, RawCountRow[]>();
  const h = chIdentifier(`${prefix}h`);
  const mapped = await deriveJoin({
    client,
    derived,
    input: (field) => column(field),
    distinct: (x) => `SELECT hex(${x}) AS ${h} FROM ${from} WHERE isNotNull(${x}) GROUP BY ${h}`,
    // The joined columns' names: no column of the table (or query) starts with the prefix.
    prefix: `${prefix}derived_`,
  });
  // The distinct raw values crossed back too.
  let bytes = mapped.bytes;
  // A query another one covers is summed from that one's rows in Node: a pass over rows already here,
  // not another scan of the table.
  for (const query of coveringQueries(queries)) {
    // TabSeparated: JSON objects would repeat every key on every row.
    const table = countTable();
    bytes += await selectTsv({
      client,
      sql: countQuerySql(query, from, { derived: mapped.join, extras, prefix }),
      onRow: (text, cells) => table.add(countRowOf({ query, cells, at: 0 }), text),
    });
    results.set(query.key, table.rows());
  }
  const time = chIdentifier("time");
  const [summary] = await selectJson({
    client,
    sql: `SELECT count() AS records, min(${time}) AS first, max(${time}) AS last, argMinIf(${chIdentifier("time_text")}, ${time}, isNotNull(${time}) AND isNotNull(${chIdentifier("time_text")})) AS first_text FROM ${from}`,
  });
  const records = Number(summary!.records);
  const at = (v: unknown) => (v === null || v === undefined || records === 0 ? null : Number(v));
  const firstText = summary!.first_text;
  return {
    results: withRolledUp({ queries, ran: results }),
    records,
    timeRange: { from: at(summary!.first), to: at(summary!.last) },
    firstTimeText: typeof firstText === "string" && firstText !== "" ? firstText : null,
    bytes,
  };
}

/**
 * Fits `pipeline` where the requests live: each declared count is one GROUP BY over `table` (a
 * Distributed table runs it on every shard and adds the parts), and only the count rows come back.
 * `table` holds parsed requests in columns named like the record fields ({@link TABLE_FIELDS}; `time`
 * in epoch milliseconds), its other columns extra fields; or a `query` gives them, its columns named (or
 * aliased) like the fields. The model equals `oddity fit` of the same records but for `sources`.
 */
export async function fitInClickHouse({
  pipeline,
  client,
  source,
  ...relation
}: RelationOptions & {
  pipeline: Pipeline;
  client: ClickHouseClient;
  /** What the model's `sources` lists (no credentials), and errors name. */
  source: string;
}): Promise<{
  model: Model;
  /** Characters of text the cluster sent back, as decoded (see {@link ClickHouseCounts.bytes}). */
  bytes: number;
}> {
  // Templates, endpoints and queries are grouped by in the cluster: a row per template, not per path.
  const plan = planCounts(pipeline, "ClickHouse", { derive: MAPPABLE_FIELDS });
  const counts = await countInClickHouse({
    client,
    ...relation,
    source,
    queries: plan.queries,
    derived: plan.derived,
  });
  const model = fitFromCounts({
    pipeline,
    plan,
    results: counts.results,
    records: counts.records,
    timeRange: counts.timeRange,
    sources: [source],
  });
  return { model, bytes: counts.bytes };
}
