import type { ClickHouseClient } from "@clickhouse/client";
import {
  flagRows,
  isNumericField,
  MAPPABLE_FIELDS,
  planCandidates,
  rawInputs,
  type CandidateQuery,
  type CandidateRow,
  type FieldValue,
  type Model,
} from "@oddity/core";
import { deriveJoin, querySettings } from "./derive.js";
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
  /**
   * The join `sql` needs after `FROM table` (empty when none): the table of each distinct path's
   * template, endpoint and query string, as the GROUP BYs joined it (see `deriveJoin`).
   */
  join: string;
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
    // A GROUP BY joining the table of every distinct path outgrows the default 256 KiB of query.
    ...querySettings(sql),
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
 * every detector (core's `planCandidates`), one GROUP BY over the table (a Distributed table runs it on
 * every shard) brings back the distinct combinations, `flagRows` judges each once, and a row is a
 * candidate when its combination is among the flagged ones of any footprint. A row that is not gets no
 * finding from any detector. `sql` is null when a detector declares no footprints, or more than
 * `maxFlagged` ({@link MAX_FLAGGED}) combinations are flagged.
 *
 * Templates, endpoints and query strings are grouped by in the cluster, as the fit does (see
 * `deriveJoin`): a client's requests to `/users/1`, `/users/2` … are one combination, not one per path.
 * A flagged combination's derived values are tested on the streamed rows through the same join.
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
  /** The table, escaped: `db`.`table`, or a wrapped query. */
  from: string;
  /** The record fields the table holds as columns; the others are absent from every record. */
  fields: readonly string[];
  signal?: AbortSignal | undefined;
  maxFlagged?: number;
}): Promise<CandidateCondition> {
  const held = new Set(fields);
  // Derived fields are grouped by in the cluster when the table holds their raw input.
  const derive = MAPPABLE_FIELDS.filter((f) => rawInputs(f).every((input) => held.has(input)));
  const plan = planCandidates(model.pipeline, { derive });
  if (plan === null) return { sql: null, join: "", grouped: 0, flagged: 0 };
  const { join: mapped } = await deriveJoin({
    client,
    derived: plan.derived,
    input: (field) => chIdentifier(field),
    distinct: (x) => `SELECT hex(${x}) AS h FROM ${from} WHERE isNotNull(${x}) GROUP BY h`,
    prefix: "oddity_derived_",
    signal,
  });
  const isDerived = (field: string) => mapped?.fields.has(field) ?? false;
  // A derived value's text, as the GROUP BY prints it (hex, like the raw text values).
  const derivedKey = (field: string) => `hex(toString(${mapped!.value(field, mapped!.input)}))`;
  const tests = new Set<string>();
  // Fields the table does not hold are null on every record: not grouped by, nor tested.
  const queries = plan.queries.map((candidate) => {
    const { query, representatives }: CandidateQuery = candidate;
    const present = query.fields.flatMap((f, i) => (held.has(f) || isDerived(f) ? [i] : []));
    const keys = present.map((i, j) => {
      const field = query.fields[i]!;
      return `${isDerived(field) ? derivedKey(field) : keyOf(field)} AS k${j}`;
    });
    // One raw value standing for each derived one (core's `representativesOf`), for judging.
    const reps = representatives.map((f, j) => `min(${keyOf(f)}) AS r${j}`);
    const join =
      mapped !== null && present.some((i) => isDerived(query.fields[i]!)) ? mapped.join(mapped.input) : "";
    const sql =
      keys.length === 0
        ? `SELECT 1 FROM ${from} LIMIT 1`
        : `SELECT ${[...keys, ...reps].join(", ")} FROM ${from}${join} GROUP BY ${keys.map((_, j) => `k${j}`).join(", ")}`;
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
  // Whether a flagged combination holds a derived value, which the streamed rows then need joined.
  let joined = false;
  let total = 0;
  let flagged = 0;
  for (const [n, { candidate, present, sql }] of queries.entries()) {
    for (const next of queries.slice(n, n + AHEAD)) start(next.sql);
    const { query, representatives } = candidate;
    const cells = await grouped.get(sql)!;
    if (!judged.has(sql)) total += cells.length;
    judged.add(sql);
    const width = present.length;
    const rows: CandidateRow[] = cells.map((row) => {
      const values: FieldValue[] = query.fields.map(() => null);
      present.forEach((i, j) => (values[i] = valueOf(query.fields[i]!, row[j] ?? null)));
      return {
        values,
        representatives: representatives.map((f, j) => valueOf(f, row[width + j] ?? null)),
      };
    });
    const flags = flagRows({ model, candidate, rows });
    const hits = rows.flatMap((row, j) => (flags[j] ? [{ row, cells: cells[j]! }] : []));
    if (hits.length === 0) continue;
    flagged += hits.length;
    if (flagged > maxFlagged) return { sql: null, join: "", grouped: total, flagged };
    if (present.length === 0) return { sql: "1", join: "", grouped: total, flagged };
    // A derived field is tested as the value the join gives the row, as it was grouped by.
    const columns = present.map((i) => {
      const field = query.fields[i]!;
      const value = isDerived(field) ? mapped!.value(field, mapped!.input) : chIdentifier(field);
      return `isNull(${value}), ifNull(toString(${value}), '')`;
    });
    const tuples = hits.map(
      (hit) => `(${present.map((i, j) => literalOf(query.fields[i]!, hit.cells[j] ?? null)).join(", ")})`,
    );
    tests.add(`(${columns.join(", ")}) IN (${tuples.join(", ")})`);
    if (present.some((i) => isDerived(query.fields[i]!))) joined = true;
  }
  return {
    sql: tests.size === 0 ? "0" : [...tests].join(" OR "),
    join: joined ? mapped!.join(mapped!.input) : "",
    grouped: total,
    flagged,
  };
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
    select: async ({ client, from, fields }) => {
      const { sql, join } = await candidateCondition({ client, model, from, fields, signal: read.signal });
      return sql === null ? null : { where: sql, join };
    },
  });
}
