import type { ClickHouseClient } from "@clickhouse/client";
import { InputError, canonicalField, isKnownField } from "@oddity/core";
import { chIdentifier } from "./escape.js";
import { TABLE_FIELDS } from "./table-fields.js";

/** What a read or a count of parsed requests runs over: a table, or the user's query (`--query`). */
export interface Relation {
  /** SQL of the FROM: `db`.`table`, or the query wrapped to give the record fields as columns. */
  from: string;
  /** The record fields it holds ({@link TABLE_FIELDS} it has a column for). */
  fields: readonly string[];
  /**
   * Its extra fields: each column of the query that is not a record field (nor the primary key), by its
   * name as the query gives it, and the SQL of its column in `from` (text, NULL when absent). Empty for
   * a table.
   */
  extras: ReadonlyMap<string, string>;
}

// The user's SQL is trusted as source-sql trusts it; oddity only wraps it. A newline before the closing
// parenthesis, so that a query ending in a `--` comment does not comment it out.
function subquery(query: string): string {
  return `(${query.replace(/[\s;]+$/, "")}\n)`;
}

// The query as part of a source name: on one line, without control characters, middle elided.
function queryLabel(sql: string): string {
  const flat = sql.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, " ").trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 55)} … ${flat.slice(-20)}`;
}

/** The name records read through `query` carry as `source`: the masked URL and the query in parentheses. */
export function querySource(display: string, query: string): string {
  return `${display}#(${queryLabel(query)})`;
}

/**
 * Refuses, before anything is sent, the options that cannot go with a query: a table (the query names
 * it), a raw-line column (a query's columns are record fields), an empty query.
 */
export function checkQueryOptions({
  display,
  query,
  table,
  column,
}: {
  display: string;
  query: string;
  table: string | undefined;
  column: string | undefined;
}): void {
  if (table !== undefined)
    throw new InputError(
      `${display}: give either --table or --query, not both: drop --table (the query names what it reads)`,
    );
  if (column !== undefined)
    throw new InputError(
      `${display}: drop --column: a query's columns are named like record fields, not a raw-line column (for raw lines, give --table and --column)`,
    );
  if (query.trim() === "") throw new InputError(`${display}: the query is empty`);
}

const unwrap = (type: string) => type.replace(/^(?:Nullable\(|LowCardinality\()+/, "").replace(/\)+$/, "");
const NUMBER = /^(?:U?Int\d+|Float\d+|Decimal)/;
const TEXT = /^(?:String|FixedString\b)/;
// Types a field takes when the query has no column for it: those of a table of parsed requests.
const ABSENT: Record<string, string> = { time: "Int64", status: "UInt16", size: "Float64" };

function conversion({
  field,
  column,
  type,
  sql,
  source,
}: {
  field: string;
  column: string;
  type: string;
  sql: string;
  source: string;
}): string {
  const base = unwrap(type);
  if (field === "time") {
    // A table of parsed requests holds `time` as epoch milliseconds; so does what the query gives.
    if (base.startsWith("DateTime")) return `toInt64(${sql}) * 1000`;
    if (base === "Date") return `toInt64(toDateTime(${sql})) * 1000`;
    if (NUMBER.test(base)) return sql;
    throw new InputError(
      `${source}: column ${JSON.stringify(column)} is ${type}, not a time: give a DateTime or epoch milliseconds (toDateTime(${column}) AS time)`,
    );
  }
  if (field === "status" || field === "size") {
    if (NUMBER.test(base)) return sql;
    throw new InputError(
      `${source}: column ${JSON.stringify(column)} is ${type}, not a number: convert it in the query (toUInt64(${column}) AS ${field})`,
    );
  }
  return TEXT.test(base) ? sql : `toString(${sql})`;
}

/**
 * The user's query as a relation of parsed requests. Its columns (from `DESCRIBE TABLE (query)`, which
 * runs nothing) are matched by name, in any letter case and by the aliases source-sql knows (`client_ip`,
 * `bytes`, `timestamp`, ...), to the record fields; every other column but the primary key is an extra
 * field named as the query names it (its text; NULL is absent), as source-sql maps a row. A column named
 * exactly like a field the record or core computes (`raw`, `line`, `source`, `hour`, ...) is not read:
 * `getField` reads that field, never such an extra. The query is wrapped twice:
 * the inner SELECT gives each of its columns a name of oddity's (ClickHouse substitutes aliases into
 * expressions, so an alias must not name a column it converts), the outer one every record field under
 * its name, converted to what a table of parsed requests holds (`time` a DateTime → epoch ms; text
 * fields as text), NULL when absent, the key column under its own name, and each extra as text under a
 * name of oddity's ({@link Relation.extras}). Errors are `InputError`s naming `source` and the columns:
 * two columns for one field, or one extra name.
 */
export async function queryRelation({
  client,
  query,
  source,
  primaryKey,
  signal,
}: {
  client: ClickHouseClient;
  query: string;
  source: string;
  primaryKey?: string | undefined;
  signal?: AbortSignal | undefined;
}): Promise<Relation> {
  const result = await client.query({
    query: `DESCRIBE TABLE ${subquery(query)}`,
    format: "JSONEachRow",
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  const columns = (await result.json<{ name: unknown; type: unknown }>()).map((c) => ({
    name: String(c.name),
    type: String(c.type),
  }));
  const listing = columns.map((c) => JSON.stringify(c.name)).join(", ");
  if (primaryKey !== undefined && !columns.some((c) => c.name === primaryKey)) {
    throw new InputError(
      `${source}: the query has no column ${JSON.stringify(primaryKey)} for the primary key (columns: ${listing})`,
    );
  }
  const table = new Set<string>(TABLE_FIELDS);
  // Column names no column of the query starts with.
  let prefix = "oddity_q_";
  while (columns.some((c) => c.name.startsWith(prefix))) prefix += "_";
  const inner = (i: number) => chIdentifier(`${prefix}${i}`);
  const byField = new Map<string, number>();
  const byExtra = new Map<string, number>();
  columns.forEach((c, i) => {
    if (c.name.includes("\u0000"))
      throw new InputError(`${source}: column ${JSON.stringify(c.name)} holds a NUL character; alias it`);
    const field = canonicalField(c.name.toLowerCase());
    if (!table.has(field)) {
      // `RAW` is source-sql's raw line, which the record of a row here is the JSON of.
      if (c.name === primaryKey || field === "raw" || isKnownField(c.name)) return;
      // With a key given, its column's value is `extra.primary_key`: a column of that name would be too.
      const previous =
        c.name === "primary_key" && primaryKey !== undefined ? primaryKey : byExtra.get(c.name);
      if (previous !== undefined) {
        const other = typeof previous === "string" ? previous : columns[previous]!.name;
        throw new InputError(
          `${source}: columns ${JSON.stringify(other)} and ${JSON.stringify(c.name)} both map to extra.${c.name}; alias one of them`,
        );
      }
      byExtra.set(c.name, i);
      return;
    }
    const previous = byField.get(field);
    if (previous !== undefined) {
      throw new InputError(
        `${source}: columns ${JSON.stringify(columns[previous]!.name)} and ${JSON.stringify(c.name)} both map to ${field}; alias one of them`,
      );
    }
    byField.set(field, i);
  });
  if (byField.size === 0) {
    throw new InputError(
      `${source}: no column of the query is named like a record field (${TABLE_FIELDS.join(", ")}); its columns are ${listing}: alias them (SELECT client AS ip, ...)`,
    );
  }
  const outer = TABLE_FIELDS.map((field) => {
    const i = byField.get(field);
    // `NULL AS referer` is typed Nullable(Nothing): the field is absent, as when the query does not name it.
    if (i === undefined || unwrap(columns[i]!.type) === "Nothing")
      return `CAST(NULL AS Nullable(${ABSENT[field] ?? "String"})) AS ${chIdentifier(field)}`;
    const { name, type } = columns[i]!;
    return `${conversion({ field, column: name, type, sql: inner(i), source })} AS ${chIdentifier(field)}`;
  });
  const keyAt = primaryKey === undefined ? -1 : columns.findIndex((c) => c.name === primaryKey);
  if (keyAt >= 0 && !table.has(primaryKey!)) outer.push(`${inner(keyAt)} AS ${chIdentifier(primaryKey!)}`);
  // Extras under names of oddity's: a column's own name could be an alias a count or a read defines.
  const extras = new Map<string, string>();
  for (const i of byExtra.values()) {
    const { name, type } = columns[i]!;
    const sql = chIdentifier(`${prefix}x${i}`);
    // As source-sql gives a value: its text.
    outer.push(
      `${unwrap(type) === "Nothing" ? "CAST(NULL AS Nullable(String))" : TEXT.test(unwrap(type)) ? inner(i) : `toString(${inner(i)})`} AS ${sql}`,
    );
    extras.set(name, sql);
  }
  const renamed = columns.map((c, i) => `${chIdentifier(c.name)} AS ${inner(i)}`).join(", ");
  return {
    from: `(SELECT ${outer.join(", ")} FROM (SELECT ${renamed} FROM ${subquery(query)}))`,
    fields: TABLE_FIELDS.filter((f) => byField.has(f)),
    extras,
  };
}

/**
 * The FROM of a count over parsed requests: `database.table` escaped, or the wrapped `query` (see
 * {@link queryRelation}) and its extras; `source` names it in errors.
 */
export async function relationFrom({
  client,
  database,
  table,
  query,
  source,
  signal,
}: {
  client: ClickHouseClient;
  database: string;
  table?: string | undefined;
  query?: string | undefined;
  source: string;
  signal?: AbortSignal | undefined;
}): Promise<Pick<Relation, "from" | "extras">> {
  if (query === undefined) {
    if (table === undefined) throw new InputError(`${source}: name the table with --table, or give --query`);
    return { from: `${chIdentifier(database)}.${chIdentifier(table)}`, extras: new Map() };
  }
  checkQueryOptions({ display: source, query, table, column: undefined });
  const { from, extras } = await queryRelation({ client, query, source, signal });
  return { from, extras };
}
