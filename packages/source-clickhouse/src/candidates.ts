import type { ClickHouseClient } from "@clickhouse/client";
import {
  flagRows,
  isNumericField,
  planCandidates,
  type CandidateQuery,
  type CandidateRow,
  type FieldValue,
  type Model,
} from "@oddity/core";
import { chIdentifier, chString } from "./escape.js";
import { readClickHouse, type ClickHouseRecordStream, type ReadClickHouseOptions } from "./read.js";

/**
 * Flagged combinations (over all footprints) past which the condition would be too long a query: then
 * every row is streamed, as without a model.
 */
export const MAX_FLAGGED = 100_000;
// GROUP BYs in flight at once: the cluster groups the next footprints while Node judges one.
const AHEAD = 3;

/** What {@link candidateCondition} found: the SQL condition, and how many combinations it names. */
export interface CandidateCondition {
  /** A boolean SQL expression over the table's columns; null when every row must be streamed. */
  sql: string | null;
  /** Distinct combinations grouped (all footprints), and how many of them the model flags. */
  grouped: number;
  flagged: number;
}

/** A column's value as read back: its text, as the streaming SELECT prints it (numbers too). */
const textOf = (column: string) => `toString(${chIdentifier(column)})`;

// Text comes back as hex, so that a value decodes here just as the streamed TabSeparated text does
// and its bytes can be sent back exactly; a number's text is plain ASCII.
function keyOf(field: string): string {
  return isNumericField(field) ? textOf(field) : `hex(${textOf(field)})`;
}

// The value a cell of the GROUP BY gives, exactly as `readClickHouse` reads the same cell.
function valueOf(field: string, cell: string | null): FieldValue {
  if (cell === null) return null;
  if (isNumericField(field)) return Number(cell);
  return Buffer.from(cell, "hex").toString("utf8");
}

/** One `(isNull, value)` pair of the IN tuple: NULL never matches inside IN, so it is a flag of its own. */
function literalOf(field: string, cell: string | null): string {
  if (cell === null) return "1, ''";
  if (isNumericField(field)) return `0, ${chString(cell)}`;
  const hex = cell;
  const text = Buffer.from(hex, "hex").toString("utf8");
  // Bytes that are not UTF-8 do not survive decoding: those are sent as the bytes they are.
  return Buffer.from(text, "utf8").toString("hex") === hex.toLowerCase()
    ? `0, ${chString(text)}`
    : `0, unhex(${chString(hex)})`;
}

async function tsvRows({
  client,
  sql,
  signal,
}: {
  client: ClickHouseClient;
  sql: string;
  signal: AbortSignal | undefined;
}): Promise<string[][]> {
  const result = await client.query({
    query: sql,
    format: "TabSeparated",
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  const text = await result.text();
  return text === ""
    ? []
    : text
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => line.split("\t"));
}

/**
 * The condition a row of `from` must meet to be worth scoring against `model`: for every footprint of
 * every detector (core's `planCandidates`, derived fields by their raw inputs), one GROUP BY over the
 * table (a Distributed table runs it on every shard) brings back the distinct combinations, `flagRows`
 * judges each once, and a row is a candidate when its combination is among the flagged ones of any
 * footprint. A row that is not gets no finding from any detector. `sql` is null when a detector declares
 * no footprints, or more than `maxFlagged` ({@link MAX_FLAGGED}) combinations are flagged.
 */
export async function candidateCondition({
  client,
  model,
  from,
  fields,
  signal,
  maxFlagged = MAX_FLAGGED,
}: {
  client: ClickHouseClient;
  model: Model;
  /** The table, escaped: `db`.`table`; or the user's query wrapped as a subquery. */
  from: string;
  /** The record fields the table holds as columns; the others are absent from every record. */
  fields: readonly string[];
  signal?: AbortSignal | undefined;
  maxFlagged?: number;
}): Promise<CandidateCondition> {
  const plan = planCandidates(model.pipeline, { derive: [] });
  if (plan === null) return { sql: null, grouped: 0, flagged: 0 };
  const held = new Set(fields);
  const tests = new Set<string>();
  // Fields the table does not hold are null on every record: not grouped by, nor tested.
  const queries = plan.queries.map((candidate) => {
    const { query }: CandidateQuery = candidate;
    const present = query.fields.flatMap((f, i) => (held.has(f) ? [i] : []));
    const keys = present.map((i, j) => `${keyOf(query.fields[i]!)} AS k${j}`);
    const by = present.map((i) => chIdentifier(query.fields[i]!));
    const sql =
      keys.length === 0
        ? `SELECT 1 FROM ${from} LIMIT 1`
        : `SELECT ${keys.join(", ")} FROM ${from} GROUP BY ${by.join(", ")}`;
    return { candidate, present, sql };
  });
  // Two detectors with one footprint (a conditional pair and the targets detector's) share the rows.
  const grouped = new Map<string, Promise<Array<Array<string | null>>>>();
  const start = (sql: string) => {
    if (grouped.has(sql)) return;
    const rows = tsvRows({ client, sql, signal }).then((found) =>
      found.map((cells) => cells.map((cell) => (cell === "\\N" ? null : cell))),
    );
    // Awaited in turn below; a failure while an earlier one is judged must not go unhandled.
    rows.catch(() => {});
    grouped.set(sql, rows);
  };
  const judged = new Set<string>();
  let total = 0;
  let flagged = 0;
  for (const [n, { candidate, present, sql }] of queries.entries()) {
    for (const next of queries.slice(n, n + AHEAD)) start(next.sql);
    const { query } = candidate;
    const cells = await grouped.get(sql)!;
    if (!judged.has(sql)) total += cells.length;
    judged.add(sql);
    const rows: CandidateRow[] = cells.map((row) => {
      const values: FieldValue[] = query.fields.map(() => null);
      present.forEach((i, j) => (values[i] = valueOf(query.fields[i]!, row[j] ?? null)));
      return { values, representatives: [] };
    });
    const flags = flagRows({ model, candidate, rows });
    const hits = cells.filter((_, j) => flags[j]);
    if (hits.length === 0) continue;
    flagged += hits.length;
    if (flagged > maxFlagged) return { sql: null, grouped: total, flagged };
    if (present.length === 0) return { sql: "1", grouped: total, flagged };
    const columns = present.map((i) => {
      const column = chIdentifier(query.fields[i]!);
      return `isNull(${column}), ifNull(${textOf(query.fields[i]!)}, '')`;
    });
    const tuples = hits.map(
      (row) => `(${present.map((i, j) => literalOf(query.fields[i]!, row[j] ?? null)).join(", ")})`,
    );
    tests.add(`(${columns.join(", ")}) IN (${tuples.join(", ")})`);
  }
  return { sql: tests.size === 0 ? "0" : [...tests].join(" OR "), grouped: total, flagged };
}

/**
 * `readClickHouse` for scoring against `model`: with a table of parsed columns and a `primaryKey`, only
 * the rows the model could flag are streamed back (see {@link candidateCondition}), each with the `line`
 * the whole result ordered by the key gives it, and the rest are counted as read and parsed. Without a
 * key (the order, and so the lines, would be the server's) or with a raw-line column, every row is. A
 * `query` with a `primaryKey` is selected from as a table is.
 */
export function readClickHouseCandidates(
  options: ReadClickHouseOptions & { model: Model },
): ClickHouseRecordStream {
  const { model, ...read } = options;
  if (read.primaryKey === undefined || read.column !== undefined) return readClickHouse(read);
  return readClickHouse({
    ...read,
    select: async ({ client, from, fields }) =>
      (await candidateCondition({ client, model, from, fields, signal: read.signal })).sql,
  });
}
