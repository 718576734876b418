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
   * Its extra fields: each column of the table or query that is not a record field (nor the primary
   * key), by its name as the table or query gives it, and the SQL of its value over `from` (text, NULL
   * when absent).
   */
  extras: ReadonlyMap<string, string>;
  /**
   * With a primary key: the SQL of its value's text over `from`, which the streamed read gives records
   * as `extra.primary_key` (see {@link readExtras}).
   */
  key?: string | undefined;
  /**
   * A prefix no column of `from` starts with: the names oddity gives what it selects over `from` (its
   * aliases, the columns it joins) start with it, since ClickHouse reads an alias wherever a column of
   * that name is meant (`toString(c) AS k0, count() AS c` would group by the count).
   */
  prefix: string;
}

/**
 * The extra fields a count or a selection over `relation` reads: its extras and, with a primary key, the
 * key as `primary_key`, as the streamed read gives records them.
 */
export function readExtras(relation: Pick<Relation, "extras" | "key">): ReadonlyMap<string, string> {
  return relation.key === undefined
    ? relation.extras
    : new Map([...relation.extras, ["primary_key", relation.key]]);
}

/** A column of a table or of a query, as ClickHouse describes it. */
export interface DescribedColumn {
  name: string;
  type: string;
}

/** `base`, lengthened by underscores until none of `names` starts with it. */
function unusedPrefix(base: string, names: readonly string[]): string {
  let prefix = base;
  while (names.some((name) => name.startsWith(prefix))) prefix += "_";
  return prefix;
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

const TABLE = new Set<string>(TABLE_FIELDS);

/** An extra's value, as source-sql gives it: its text; NULL (and `NULL AS x`, typed Nothing) absent. */
export function extraText({ type, sql }: { type: string; sql: string }): string {
  const base = unwrap(type);
  if (base === "Nothing") return "CAST(NULL AS Nullable(String))";
  return TEXT.test(base) ? sql : `toString(${sql})`;
}

/**
 * Which columns (by index) give the record fields, and which the extra fields, as source-sql maps a
 * row: `fieldOf` names the field a column gives, if any; every other column but the primary key is an
 * extra field of its name, unless that name reads another field (`raw` in any letter case, `source`,
 * `hour`, an alias such as `client_ip`: `getField` reads that field, never such an extra). Two columns
 * for one field or one extra name, and a column whose name holds NUL, are `InputError`s naming `source`
 * and the columns, saying to rename one in a query (`rename: "alias"`: the user's own; `"query"`: a
 * `--query` over the table).
 */
function mapColumns({
  columns,
  primaryKey,
  source,
  fieldOf,
  rename,
}: {
  columns: readonly DescribedColumn[];
  primaryKey: string | undefined;
  source: string;
  fieldOf: (name: string) => string | undefined;
  rename: "alias" | "query";
}): { byField: Map<string, number>; byExtra: Map<string, number> } {
  const fix = (what: string) =>
    rename === "alias" ? `alias ${what}` : `read the table through --query, aliasing ${what}`;
  const byField = new Map<string, number>();
  const byExtra = new Map<string, number>();
  columns.forEach((c, i) => {
    if (c.name.includes("\u0000"))
      throw new InputError(`${source}: column ${JSON.stringify(c.name)} holds a NUL character; ${fix("it")}`);
    const field = fieldOf(c.name);
    if (field === undefined) {
      // `RAW` is source-sql's raw line, which the record of a row here is the JSON of.
      if (c.name === primaryKey || canonicalField(c.name.toLowerCase()) === "raw" || isKnownField(c.name))
        return;
      // With a key given, its column's value is `extra.primary_key`: a column of that name would be too.
      const previous =
        c.name === "primary_key" && primaryKey !== undefined ? primaryKey : byExtra.get(c.name);
      if (previous !== undefined) {
        const other = typeof previous === "string" ? previous : columns[previous]!.name;
        throw new InputError(
          `${source}: columns ${JSON.stringify(other)} and ${JSON.stringify(c.name)} both map to extra.${c.name}; ${fix("one of them")}`,
        );
      }
      byExtra.set(c.name, i);
      return;
    }
    const previous = byField.get(field);
    if (previous !== undefined) {
      throw new InputError(
        `${source}: columns ${JSON.stringify(columns[previous]!.name)} and ${JSON.stringify(c.name)} both map to ${field}; ${fix("one of them")}`,
      );
    }
    byField.set(field, i);
  });
  return { byField, byExtra };
}

/**
 * A table of parsed requests as a relation (`columns` as `system.columns` lists them): the columns
 * named exactly like a record field ({@link TABLE_FIELDS}) are those fields, read as they are (a table's
 * columns are not converted: name and convert them in a `--query` for that); every other column is an
 * extra field as {@link queryRelation} maps a query's (by its name, letter case kept; its text, `toString`
 * for other types; NULL absent; not the primary key, whose value is `extra.primary_key`; not a name
 * that reads another field). Each extra is read from its column directly, so a GROUP BY over the table
 * still runs on every shard of a Distributed table. Errors as {@link queryRelation}'s: a column named
 * `primary_key` beside `primaryKey`, a column name holding NUL.
 */
export function tableRelation({
  database,
  table,
  columns,
  primaryKey,
  source,
}: {
  database: string;
  table: string;
  columns: readonly DescribedColumn[];
  primaryKey?: string | undefined;
  source: string;
}): Relation {
  const { byField, byExtra } = mapColumns({
    columns,
    primaryKey,
    source,
    fieldOf: (name) => (TABLE.has(name) ? name : undefined),
    rename: "query",
  });
  const extras = new Map<string, string>();
  for (const [name, i] of byExtra)
    extras.set(name, extraText({ type: columns[i]!.type, sql: chIdentifier(name) }));
  const key = columns.find((c) => primaryKey !== undefined && c.name === primaryKey);
  return {
    from: `${chIdentifier(database)}.${chIdentifier(table)}`,
    fields: TABLE_FIELDS.filter((f) => byField.has(f)),
    extras,
    ...(key === undefined ? {} : { key: extraText({ type: key.type, sql: chIdentifier(key.name) }) }),
    prefix: unusedPrefix(
      "oddity_",
      columns.map((c) => c.name),
    ),
  };
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
  // Column names no column of the query starts with.
  const prefix = unusedPrefix(
    "oddity_q_",
    columns.map((c) => c.name),
  );
  const inner = (i: number) => chIdentifier(`${prefix}${i}`);
  const { byField, byExtra } = mapColumns({
    columns,
    primaryKey,
    source,
    fieldOf: (name) => {
      const field = canonicalField(name.toLowerCase());
      return TABLE.has(field) ? field : undefined;
    },
    rename: "alias",
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
  if (keyAt >= 0 && !TABLE.has(primaryKey!)) outer.push(`${inner(keyAt)} AS ${chIdentifier(primaryKey!)}`);
  // The key's text under a name of oddity's too: the key may be a field, converted under its own name.
  const key = chIdentifier(`${prefix}key`);
  if (keyAt >= 0) outer.push(`${extraText({ type: columns[keyAt]!.type, sql: inner(keyAt) })} AS ${key}`);
  // Extras under names of oddity's: a column's own name could be an alias a count or a read defines.
  const extras = new Map<string, string>();
  for (const i of byExtra.values()) {
    const { name, type } = columns[i]!;
    const sql = chIdentifier(`${prefix}x${i}`);
    outer.push(`${extraText({ type, sql: inner(i) })} AS ${sql}`);
    extras.set(name, sql);
  }
  const renamed = columns.map((c, i) => `${chIdentifier(c.name)} AS ${inner(i)}`).join(", ");
  return {
    from: `(SELECT ${outer.join(", ")} FROM (SELECT ${renamed} FROM ${subquery(query)}))`,
    fields: TABLE_FIELDS.filter((f) => byField.has(f)),
    extras,
    ...(keyAt >= 0 ? { key } : {}),
    // The wrapped query's columns are the fields, the key (a column of the query, and its text as
    // `${prefix}key`) and `${prefix}x…`.
    prefix: `${prefix}r_`,
  };
}
