import type { DuckDBConnection } from "@duckdb/node-api";
import {
  flagRows,
  isNumericField,
  MAPPABLE_FIELDS,
  planCandidates,
  type CandidateRow,
  type Model,
} from "@oddity/core";
import { column, joinDerived, joinsSql, rowsOf, writeTable, type Joined } from "./columns.js";
import { candidateRows, groupedRows } from "./grouping-sets.js";

/** Which rows of the `parsed` table to stream back for scoring, and what the stream skips. */
export interface CandidateSelection {
  /** The rows to stream: lines handed back to oddity's parser and the records of flagged combinations. */
  sql: string;
  /** Plain records per file (`src`): those the stream skips are counted as parsed, unscored. */
  plainPerSrc: ReadonlyMap<number, number>;
}

/**
 * Selects the records worth scoring against `model`: for every footprint of every detector (see core's
 * `planCandidates`), the distinct combinations among the split lines are judged once in Node, and the
 * flagged ones go back into DuckDB as a table; a record matching none gets no finding from any detector,
 * so it is not streamed back. Null when a detector declares no footprints: then every row is streamed.
 */
export async function selectCandidates({
  connection,
  model,
  packed,
  distinct = new Map(),
  derived = new Map(),
}: {
  connection: DuckDBConnection;
  model: Model;
  /** The SQL of a row's packed fields, as the stream reads them. */
  packed: string;
  /** Distinct combinations already grouped (by `count`, with the same stand-ins), by query key. */
  distinct?: ReadonlyMap<string, readonly CandidateRow[]>;
  /** The scan's derived-field tables made so far (see `joinDerived`). */
  derived?: Map<string, Joined>;
}): Promise<CandidateSelection | null> {
  const plan = planCandidates(model.pipeline, { derive: MAPPABLE_FIELDS });
  if (plan === null) return null;
  const joined = await joinDerived({ connection, derived: plan.derived, known: derived });
  const matches: string[] = [];
  const flaggedOf = new Map<number, CandidateRow[]>();
  const judge = (i: number, rows: readonly CandidateRow[]) => {
    const flags = flagRows({ model, candidate: plan.queries[i]!, rows });
    flaggedOf.set(
      i,
      rows.filter((_, j) => flags[j]),
    );
  };
  // Footprints grouped already by the fit of this scan are judged from those rows; the others are
  // grouped together in one scan (see `groupingSets`).
  const left: number[] = [];
  plan.queries.forEach((candidate, i) => {
    const known = distinct.get(candidate.query.key);
    if (known !== undefined) judge(i, known);
    else left.push(i);
  });
  if (left.length > 0) {
    const groupings = left.map((i) => ({
      fields: plan.queries[i]!.query.fields,
      representatives: plan.queries[i]!.representatives,
    }));
    const found = await groupedRows({ connection, groupings, joined, tag: "candidates" });
    left.forEach((i, at) => judge(i, candidateRows(groupings[at]!, found[at]!)));
  }
  for (const [i, { query }] of plan.queries.entries()) {
    const flagged = flaggedOf.get(i)!;
    if (flagged.length === 0) continue;
    const numeric = query.fields.map((f) => isNumericField(f));
    const table = `oddity_flagged_${i}`;
    await writeTable({
      connection,
      table,
      columns: numeric.map((n, j) => ({ name: `k${j}`, numeric: n })),
      rows: flagged.map((row) => row.values),
    });
    const match = query.fields.map((f, j) => {
      const value = column(f, joined);
      return `f.k${j} IS NOT DISTINCT FROM ${numeric[j] ? `CAST(${value} AS DOUBLE)` : value}`;
    });
    // An inner join with the flagged combinations (each one row, so no row is doubled): a few rows out.
    matches.push(
      `SELECT parsed.src AS c_src, parsed.n AS c_n FROM parsed${joinsSql(query.fields, joined)} JOIN ${table} AS f ON ${match.join(" AND ")} WHERE parsed.plain`,
    );
  }
  const plainPerSrc = new Map(
    (
      await rowsOf(connection, `SELECT src, CAST(count(*) AS DOUBLE) FROM parsed WHERE plain GROUP BY src`)
    ).map((row) => [Number(row[0]), row[1] as number] as const),
  );
  // The rows matching any footprint's flagged combinations, then the rows themselves, joined on their
  // place: correlated EXISTS tests instead held a copy of every row per test (2.2 GB for 1M lines).
  // Few rows come back, so sorting them costs little and keeps input order whatever the joins do.
  const picked =
    matches.length === 0
      ? ""
      : ` UNION ALL SELECT src, CAST(n AS DOUBLE) AS n, ${packed} AS packed FROM parsed JOIN (${matches.join(" UNION ")}) AS c ON src = c_src AND n = c_n`;
  const sql = `SELECT src, CAST(n AS DOUBLE) AS n, ${packed} AS packed FROM parsed WHERE NOT plain${picked} ORDER BY src, n`;
  return { sql, plainPerSrc };
}
