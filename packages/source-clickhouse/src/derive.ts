import type { ClickHouseClient } from "@clickhouse/client";
import { derivedValues, type DerivedMapping } from "@oddity/core";
import { chBytes, chIdentifier, chString } from "./escape.js";

/**
 * The derived fields a count groups by (`path_template`, `endpoint`, `query`), joined from oddity's
 * table of their values for every distinct value of their raw input (`path`).
 */
export interface DerivedJoin {
  /** The raw input's SQL, as the mapping was fetched by. */
  input: string;
  /** ` GLOBAL ANY LEFT JOIN (…) ON key = …`: the table, joined on `key` (the input's SQL, or a column). */
  join: (key: string) => string;
  /** SQL of a derived field's value, given the SQL of the row's input (NULL → the value of an absent one). */
  value: (field: string, key: string) => string;
  /** The fields it maps. */
  fields: ReadonlySet<string>;
}

// 18.16 parses at most `max_query_size` bytes of a query (256 KiB by default), and a query holding the
// table of every distinct path is larger: it is raised to the query's size for that query.
const DEFAULT_QUERY_SIZE = 262_144;

/** The settings a query needs: a larger `max_query_size` when it is larger than the default. */
export function querySettings(sql: string): { clickhouse_settings?: { max_query_size: string } } {
  // The client appends its FORMAT clause to the query.
  const size = Buffer.byteLength(sql) + 1024;
  return size <= DEFAULT_QUERY_SIZE ? {} : { clickhouse_settings: { max_query_size: String(size) } };
}

const NOTHING = "CAST(NULL AS Nullable(String))";

/**
 * For the derived fields the queries group by, oddity's value (`derivedValues`, the code `observe` runs)
 * for every distinct value of their raw input, as a table the GROUP BYs join: they return a row per
 * template rather than per path. `distinct` runs a query whose rows each hold one distinct raw value in
 * hex (`h`): hex, so that bytes that are not UTF-8 come back as they are and the literal matches them.
 * Null when `derived` is empty.
 *
 * The table is a `GLOBAL ANY LEFT JOIN` of a subquery of literal arrays: the initiator reads the arrays
 * once and sends the table to every shard with the query, as GLOBAL does; nothing is created on the
 * cluster (a read-only user can fit) and nothing is left to drop on error. The other way tried,
 * `transform(path, [raws], [1..n], 0)` indexing an array of values inline, took 1.5 s against 0.34 s
 * for the join on the bench's 1M lines (24,640 paths), GROUP BY template alone, measured back to back:
 * each shard parses and analyses the 1.4 MB literal, and transform is slower per row than the join's hash.
 */
export async function deriveJoin({
  client,
  derived,
  input,
  distinct,
  prefix,
  signal,
}: {
  client: ClickHouseClient;
  derived: readonly DerivedMapping[];
  /** The SQL of a raw field (the `from` of a mapping). */
  input: (field: string) => string;
  /** The query listing the distinct values of an input as `h`, given its SQL. */
  distinct: (sql: string) => string;
  /** A prefix of the joined columns' names that no column of the table starts with. */
  prefix: string;
  signal?: AbortSignal | undefined;
}): Promise<{ join: DerivedJoin | null; bytes: number }> {
  if (derived.length === 0) return { join: null, bytes: 0 };
  const from = new Set(derived.map((m) => m.from));
  // Every mappable field is computed from `path`; a query joins one table at most in 18.16.
  if (from.size !== 1)
    throw new Error(`derived fields from several inputs (${[...from].join(", ")}); this is a bug`);
  const x = input(derived[0]!.from);
  const result = await client.query({
    query: distinct(x),
    format: "TabSeparated",
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  let bytes = 0;
  const raws: Buffer[] = [];
  for await (const chunk of result.stream()) {
    for (const row of chunk) {
      bytes += row.text.length + 1;
      raws.push(Buffer.from(row.text, "hex"));
    }
  }
  // The text oddity reads for a raw value: bytes that are not UTF-8 read as U+FFFD, as the client decodes them.
  const texts = raws.map((raw) => raw.toString("utf8"));
  const name = (field: string) => chIdentifier(`${prefix}${field}`);
  const raw = name("raw");
  const literal = (v: string | null | undefined) => (v === null || v === undefined ? "NULL" : chString(v));
  const columns = derived.map((mapping) => ({
    field: mapping.field,
    values: derivedValues({ mapping, values: texts }),
    absent: derivedValues({ mapping, values: [null] })[0] ?? null,
  }));
  const absent = new Map(columns.map((c) => [c.field, c.absent]));
  const table = `(SELECT ${[raw, ...columns.map((c) => name(c.field))].join(", ")} FROM system.one ARRAY JOIN [${raws.map(chBytes).join(", ")}] AS ${raw}, ${columns.map((c) => `[${c.values.map(literal).join(", ")}] AS ${name(c.field)}`).join(", ")})`;
  return {
    bytes,
    join: {
      input: x,
      fields: new Set(derived.map((m) => m.field)),
      // An empty array literal has no type in 18.16: with no raw value, every row's input is NULL.
      join: (key) => (raws.length === 0 ? "" : ` GLOBAL ANY LEFT JOIN ${table} ON ${key} = ${raw}`),
      value: (field, key) => {
        const none = absent.get(field);
        const value = raws.length === 0 ? NOTHING : `toNullable(${name(field)})`;
        return `if(isNull(${key}), ${none === null || none === undefined ? NOTHING : `toNullable(${chString(none)})`}, ${value})`;
      },
    },
  };
}
