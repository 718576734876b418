import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { derivedValues, RECORD_FIELDS, type DerivedMapping } from "@oddity/core";
import { sqlString } from "./sql-text.js";

// Raw fields the SQL split yields, as columns of the `parsed` table.
const COLUMNS = new Set<string>(RECORD_FIELDS.filter((field) => field !== "raw"));

/** A derived field joined from oddity's table of its values: the table, and the value for an absent input. */
export interface Joined {
  table: string;
  from: string;
  absent: string | null;
}

/** The SQL for a field of a `parsed` row: a column, a derived field's joined value, or null. */
export function column(field: string, joined: ReadonlyMap<string, Joined> = new Map()): string {
  const join = joined.get(field);
  if (join !== undefined) {
    const value = `${join.table}."value"`;
    return join.absent === null
      ? value
      : `CASE WHEN ${column(join.from)} IS NULL THEN ${sqlString(join.absent)} ELSE ${value} END`;
  }
  if (field === "line") return "CAST(coalesce(line_no, n) AS DOUBLE)";
  if (field === "time") return `CAST("time" AS DOUBLE)`;
  if (COLUMNS.has(field)) return `"${field}"`;
  // `raw` and format extras: common and combined lines carry none, so every record has null.
  return "CAST(NULL AS VARCHAR)";
}

/** The joins a query over `parsed` needs for the derived fields among `fields`. */
export function joinsSql(fields: readonly string[], joined: ReadonlyMap<string, Joined>): string {
  return fields
    .flatMap((f) => {
      const join = joined.get(f);
      return join === undefined
        ? []
        : [` LEFT JOIN ${join.table} ON ${column(join.from)} = ${join.table}.raw`];
    })
    .join("");
}

/**
 * For each derived field the queries group by, a table from every distinct value of its input among the
 * split lines to oddity's derived value (`derivedValues`, the code `observe` runs): the GROUP BYs join it,
 * so they return a row per template rather than per path.
 */
export async function joinDerived({
  connection,
  derived,
}: {
  connection: DuckDBConnection;
  derived: readonly DerivedMapping[];
}): Promise<Map<string, Joined>> {
  const joined = new Map<string, Joined>();
  for (const mapping of derived) {
    const table = `oddity_derived_${mapping.field}`;
    const input = column(mapping.from);
    const raws = (
      await rowsOf(
        connection,
        `SELECT DISTINCT CAST(${input} AS VARCHAR) FROM parsed WHERE plain AND ${input} IS NOT NULL`,
      )
    ).map((row) => row[0] as string);
    const values = derivedValues({ mapping, values: raws });
    await connection.run(`CREATE OR REPLACE TABLE ${table} (raw VARCHAR, "value" VARCHAR)`);
    const appender = await connection.createAppender(table);
    try {
      raws.forEach((raw, j) => {
        appender.appendVarchar(raw);
        const value = values[j];
        if (value === null || value === undefined) appender.appendNull();
        else appender.appendVarchar(value);
        appender.endRow();
      });
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const [absent] = derivedValues({ mapping, values: [null] });
    joined.set(mapping.field, { table, from: mapping.from, absent: absent ?? null });
  }
  return joined;
}

export async function rowsOf(connection: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowsJS();
}

/**
 * Runs every query and hands each one's rows to `take` as they arrive. Two connections take the queries
 * in turn, so DuckDB computes one while Node converts the rows of another (the tables are the
 * instance's, not a connection's).
 */
export async function eachRows<T>({
  instance,
  connection,
  items,
  sql,
  take,
}: {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  items: readonly T[];
  sql: (item: T) => string;
  take: (item: T, rows: unknown[][]) => void;
}): Promise<void> {
  const next = items[Symbol.iterator]();
  const second = await instance.connect();
  try {
    await Promise.all(
      [connection, second].map(async (on) => {
        for (let step = next.next(); !step.done; step = next.next()) {
          take(step.value, await rowsOf(on, sql(step.value)));
        }
      }),
    );
  } finally {
    second.closeSync();
  }
}
