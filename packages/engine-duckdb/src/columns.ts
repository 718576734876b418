import type { DuckDBConnection } from "@duckdb/node-api";
import { derivedValues, RECORD_FIELDS, type DerivedMapping, type FieldValue } from "@oddity/core";
import { sqlString } from "./sql-text.js";

// Raw fields the SQL split yields, as columns of the `parsed` table.
const COLUMNS = new Set<string>(RECORD_FIELDS.filter((field) => field !== "raw"));

/**
 * A derived field joined from oddity's table of the values derived from its raw input (`from`): the
 * table, the field's column in it, and the value for an absent input.
 */
export interface Joined {
  table: string;
  column: string;
  from: string;
  absent: string | null;
}

/** True for a record field the SQL split yields as a column of `parsed` (not `raw` nor `line`, the line number). */
export function isFieldColumn(field: string): boolean {
  return COLUMNS.has(field) && field !== "line";
}

/** The SQL for a field of a `parsed` row: a column, a derived field's joined value, or null. */
export function column(field: string, joined: ReadonlyMap<string, Joined> = new Map()): string {
  const join = joined.get(field);
  if (join !== undefined) {
    const value = `${join.table}."${join.column}"`;
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

/** The joins a query over `parsed` needs for the derived fields among `fields`: one per table. */
export function joinsSql(fields: readonly string[], joined: ReadonlyMap<string, Joined>): string {
  const tables = new Map<string, Joined>();
  for (const f of fields) {
    const join = joined.get(f);
    if (join !== undefined) tables.set(join.table, join);
  }
  return [...tables.values()]
    .map((join) => ` LEFT JOIN ${join.table} ON ${column(join.from)} = ${join.table}.raw`)
    .join("");
}

/**
 * Writes `rows` into a new table through DuckDB's appender: the values travel as data, never as SQL
 * text. `numeric` columns are DOUBLE, the others VARCHAR.
 */
export async function writeTable({
  connection,
  table,
  columns,
  rows,
}: {
  connection: DuckDBConnection;
  table: string;
  columns: ReadonlyArray<{ name: string; numeric: boolean }>;
  rows: Iterable<readonly FieldValue[]>;
}): Promise<void> {
  const types = columns.map(({ name, numeric }) => `"${name}" ${numeric ? "DOUBLE" : "VARCHAR"}`);
  await connection.run(`CREATE OR REPLACE TABLE ${table} (${types.join(", ")})`);
  const appender = await connection.createAppender(table);
  try {
    for (const row of rows) {
      columns.forEach(({ numeric }, j) => {
        const value = row[j] ?? null;
        if (value === null) appender.appendNull();
        else if (numeric) appender.appendDouble(Number(value));
        else appender.appendVarchar(String(value));
      });
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * For the derived fields the queries group by, a table per raw input from every distinct value of it among
 * the split lines to oddity's derived values (`derivedValues`, the code `observe` runs), a column per
 * field: the GROUP BYs join it, so they return a row per template rather than per path. Every mappable
 * field comes from `path`, so its distinct values are read once and joined once for all of them. The
 * split lines do not change, so a table made once for the scan (kept in `known`) serves its later
 * queries: `detect` counts, then selects.
 */
export async function joinDerived({
  connection,
  derived,
  known,
}: {
  connection: DuckDBConnection;
  derived: readonly DerivedMapping[];
  /** The scan's tables made so far, by field; new ones are added. */
  known: Map<string, Joined>;
}): Promise<ReadonlyMap<string, Joined>> {
  const byInput = new Map<string, DerivedMapping[]>();
  for (const mapping of derived) {
    if (known.has(mapping.field)) continue;
    byInput.set(mapping.from, [...(byInput.get(mapping.from) ?? []), mapping]);
  }
  for (const [from, mappings] of byInput) {
    // A later call may add fields of an input already joined: its table is named for them all.
    const table = `oddity_derived_${mappings.map((m) => m.field).join("_")}`;
    const input = column(from);
    const raws = (
      await rowsOf(
        connection,
        `SELECT DISTINCT CAST(${input} AS VARCHAR) FROM parsed WHERE plain AND ${input} IS NOT NULL`,
      )
    ).map((row) => row[0] as string);
    const values = mappings.map((mapping) => derivedValues({ mapping, values: raws }));
    await writeTable({
      connection,
      table,
      columns: [
        { name: "raw", numeric: false },
        ...mappings.map((_, k) => ({ name: `v${k}`, numeric: false })),
      ],
      rows: raws.map((raw, j) => [raw, ...values.map((v) => v[j] ?? null)]),
    });
    mappings.forEach((mapping, k) => {
      const [absent] = derivedValues({ mapping, values: [null] });
      known.set(mapping.field, { table, column: `v${k}`, from, absent: absent ?? null });
    });
  }
  return known;
}

export async function rowsOf(connection: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowsJS();
}
