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
import { columnRelation, lineRelation } from "./candidate-relations.js";
import { deriveJoin } from "./derive.js";
import { chIdentifier, chString } from "./escape.js";
import type { LineSplitPlan } from "./line-plan.js";
import type { SplitGrouping } from "./split-queries.js";

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

// A value as the GROUP BY prints it, given its SQL: text as hex, so that a value decodes here just as the
// streamed TabSeparated text does and its bytes can be sent back exactly; a number's text is plain ASCII.
function keyOf(field: string, sql: string): string {
  return isNumericField(field) ? `toString(${sql})` : `hex(toString(${sql}))`;
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

/** What {@link candidateCondition} reads: a table's columns, or the lines of a raw-line column's split. */
export type CandidateSource =
  | {
      /** The table, escaped: `db`.`table`, or a wrapped query. */
      from: string;
      /** The record fields the table holds as columns; the others are absent from every record. */
      fields: readonly string[];
      /** Extra fields (of a table's other columns, or a query's), by name, and the SQL of their values. */
      extras?: ReadonlyMap<string, string> | undefined;
      /**
       * A prefix no column of `from` starts with, for the names of what is selected over it (default
       * `oddity_`): ClickHouse would read such a name where the column is meant.
       */
      prefix?: string | undefined;
    }
  | {
      /** A raw-line column split in SQL: its fields on the lines the SQL reads (`plain`). */
      lines: LineSplitPlan;
    };

/**
 * The condition a row must meet to be worth scoring against `model`: for every footprint of every
 * detector (core's `planCandidates`), one GROUP BY over the table (a Distributed table runs it on every
 * shard) brings back the distinct combinations, `flagRows` judges each once, and a row is a candidate
 * when its combination is among the flagged ones of any footprint. A row that is not gets no finding
 * from any detector. `sql` is null when a detector declares no footprints, or more than `maxFlagged`
 * ({@link MAX_FLAGGED}) combinations are flagged.
 *
 * The table is `from` with its `fields` as columns, or the `lines` a raw-line column's split reads
 * (grouped over those lines only; the condition is then meaningful on them only, the others being left
 * to oddity's parser).
 *
 * Templates, endpoints and query strings are grouped by in the cluster, as the fit does (see
 * `deriveJoin`): a client's requests to `/users/1`, `/users/2` … are one combination, not one per path.
 * A flagged combination's derived values are tested on the streamed rows through the same join.
 */
export async function candidateCondition(
  options: CandidateSource & {
    client: ClickHouseClient;
    model: Model;
    signal?: AbortSignal | undefined;
    maxFlagged?: number;
  },
): Promise<CandidateCondition> {
  const { client, model, signal, maxFlagged = MAX_FLAGGED } = options;
  const relation =
    "lines" in options
      ? lineRelation({ client, plan: options.lines, signal })
      : columnRelation({
          client,
          from: options.from,
          fields: options.fields,
          extras: options.extras ?? new Map(),
          prefix: options.prefix ?? "oddity_",
          signal,
        });
  const held = relation.fields;
  // Derived fields are grouped by in the cluster when the table holds their raw input.
  const derive = MAPPABLE_FIELDS.filter((f) => rawInputs(f).every((input) => held.has(input)));
  const plan = planCandidates(model.pipeline, { derive });
  if (plan === null) return { sql: null, join: "", grouped: 0, flagged: 0 };
  const { join: mapped } = await deriveJoin({
    client,
    derived: plan.derived,
    input: (field) => held.get(field) ?? chIdentifier(field),
    distinct: relation.distinct,
    prefix: relation.prefix,
    signal,
  });
  const isDerived = (field: string) => mapped?.fields.has(field) ?? false;
  // A field's SQL: a derived one is the value the join gives the row, as it was grouped by.
  const valueSql = (field: string) =>
    isDerived(field) ? mapped!.value(field, relation.key(mapped!)) : held.get(field)!;
  const tests = new Set<string>();
  // Fields the table does not hold are null on every record: not grouped by, nor tested.
  const groupings: SplitGrouping[] = [];
  // Two detectors with one footprint (a conditional pair and the targets detector's) share the rows.
  const indexOf = new Map<string, number>();
  const queries = plan.queries.map((candidate) => {
    const { query, representatives }: CandidateQuery = candidate;
    const present = query.fields.flatMap((f, i) => (held.has(f) || isDerived(f) ? [i] : []));
    const grouping: SplitGrouping = {
      keys: present.map((i) => {
        const field = query.fields[i]!;
        return isDerived(field) ? { derived: field } : { sql: keyOf(field, held.get(field)!) };
      }),
      // One raw value standing for each derived one (core's `representativesOf`), for judging.
      least: representatives.map((f) => keyOf(f, held.get(f) ?? chIdentifier(f))),
    };
    const id = JSON.stringify(grouping);
    if (!indexOf.has(id)) indexOf.set(id, groupings.push(grouping) - 1);
    return { candidate, present, index: indexOf.get(id)! };
  });
  const grouped = relation.group(groupings, mapped);
  const judged = new Set<number>();
  // Whether a flagged combination holds a derived value, which the streamed rows then need joined.
  let joined = false;
  let total = 0;
  let flagged = 0;
  for (const [n, { candidate, present, index }] of queries.entries()) {
    for (const next of queries.slice(n, n + AHEAD)) grouped.start(next.index);
    const { query, representatives } = candidate;
    const cells = await grouped.rows(index);
    if (!judged.has(index)) total += cells.length;
    judged.add(index);
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
    const columns = present.map((i) => {
      const value = valueSql(query.fields[i]!);
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
    join: relation.streamed(joined ? mapped : null),
    grouped: total,
    flagged,
  };
}
