import {
  binMinimum,
  binMultiplier,
  isNumericField,
  type CandidateRow,
  type CountQuery,
  type FieldValue,
} from "@oddity/core";
import type { DuckDBConnection } from "@duckdb/node-api";
import { codedRows, type ResultColumn } from "./coded-rows.js";
import { column, joinsSql, type Joined } from "./columns.js";
import { sqlNumber } from "./sql-text.js";

/** A grouping to compute: its fields, the size binned within it, and raw fields standing for derived ones. */
export interface Grouping {
  fields: CountQuery["fields"];
  bin?: CountQuery["bin"];
  /** Raw fields whose smallest value in each group comes back beside it (see core's `representativesOf`). */
  representatives: readonly string[];
}

/** One query computing many groupings, and how to split its rows among them. */
export interface GroupingSets {
  sql: string;
  columns: readonly ResultColumn[];
  /**
   * The result's columns (as `codedRows` gives them) as each grouping's rows, in the layout of a GROUP BY of that grouping alone: its fields (`k0` ...), then
   * `bin_sign` and `bin_key` when it bins, then its representatives, then the count.
   */
  split(columns: readonly (readonly unknown[])[]): unknown[][][];
}

/**
 * Every grouping in one scan of the split lines, as one GROUP BY GROUPING SETS: DuckDB feeds each row to
 * all the groupings' hash tables in one pass, where a query per grouping would read (and join the
 * derived fields of) every row again. On the bench's 1M lines the default pipeline's 16 groupings took
 * 0.64 s so, against 1.1 to 1.4 s for 16 queries.
 */
export function groupingSets({
  groupings,
  joined,
}: {
  groupings: readonly Grouping[];
  joined: ReadonlyMap<string, Joined>;
}): GroupingSets {
  const fields = [...new Set(groupings.flatMap((g) => g.fields))];
  const bins = [
    ...new Map(
      groupings.flatMap((g) =>
        g.bin === undefined ? [] : [[`${g.bin.field}@${g.bin.relativeAccuracy}`, g.bin] as const],
      ),
    ).values(),
  ];
  const binIndex = (bin: NonNullable<CountQuery["bin"]>) =>
    bins.findIndex((b) => b.field === bin.field && b.relativeAccuracy === bin.relativeAccuracy);
  const reps = [...new Set(groupings.flatMap((g) => g.representatives))];
  // The grouped columns: each field, then each bin's sign and key.
  const groupColumns = [
    ...fields.map((f, i) => ({ name: `g${i}`, numeric: isNumericField(f) })),
    ...bins.flatMap((_, k) => [
      { name: `s${k}`, numeric: true },
      { name: `b${k}`, numeric: true },
    ]),
  ];
  const inner = [
    ...fields.map((f, i) => `${column(f, joined)} AS g${i}`),
    ...bins.flatMap((bin, k) => {
      const x = column(bin.field);
      const min = sqlNumber(binMinimum(bin.relativeAccuracy));
      const mult = sqlNumber(binMultiplier(bin.relativeAccuracy));
      return [
        `CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} > ${min} THEN 1 WHEN ${x} < -${min} THEN -1 ELSE 0 END AS s${k}`,
        `CASE WHEN ${x} > ${min} THEN ceil(log2(${x}) * ${mult}) WHEN ${x} < -${min} THEN ceil(log2(-${x}) * ${mult}) ELSE 0 END AS b${k}`,
      ];
    }),
    ...reps.map((f, j) => `${column(f)} AS p${j}`),
  ];
  // Each grouping's columns among `groupColumns`, by index.
  const setOf = groupings.map((g) => [
    ...g.fields.map((f) => fields.indexOf(f)),
    ...(g.bin === undefined
      ? []
      : [fields.length + 2 * binIndex(g.bin), fields.length + 2 * binIndex(g.bin) + 1]),
  ]);
  // GROUPING_ID sets a bit for each column a row is not grouped by, the first column the highest bit.
  const width = groupColumns.length;
  const idOf = (set: readonly number[]) =>
    groupColumns.reduce((id, _, j) => (set.includes(j) ? id : id + 2 ** (width - 1 - j)), 0);
  const ids = setOf.map(idOf);
  const sets = [...new Map(setOf.map((set, i) => [ids[i], set] as const)).values()];
  const names = groupColumns.map((c) => c.name);
  const from = `SELECT ${inner.length === 0 ? "1 AS one" : inner.join(", ")} FROM parsed${joinsSql(fields, joined)} WHERE plain`;
  const outer = [
    width === 0 ? "0 AS gid" : `GROUPING_ID(${names.join(", ")}) AS gid`,
    ...names,
    ...reps.map((_, j) => `min(p${j}) AS r${j}`),
    "CAST(count(*) AS DOUBLE) AS c",
  ];
  const groupBy =
    width === 0
      ? ""
      : ` GROUP BY GROUPING SETS (${sets.map((set) => `(${set.map((j) => names[j]).join(", ")})`).join(", ")})`;
  const columns: ResultColumn[] = [
    { name: "gid", numeric: true },
    ...groupColumns,
    ...reps.map((f, j) => ({ name: `r${j}`, numeric: isNumericField(f) })),
    { name: "c", numeric: true },
  ];
  return {
    sql: `SELECT ${outer.join(", ")} FROM (${from})${groupBy}`,
    columns,
    split(found) {
      const out = groupings.map((): unknown[][] => []);
      const byId = new Map<number, number[]>();
      ids.forEach((id, i) => byId.set(id, [...(byId.get(id) ?? []), i]));
      // Each grouping's columns of the result, in the order its rows hold them.
      const picks = groupings.map((g, i) => [
        ...setOf[i]!.map((j) => 1 + j),
        ...g.representatives.map((f) => 1 + width + reps.indexOf(f)),
        1 + width + reps.length,
      ]);
      const gids = found[0] ?? [];
      for (let r = 0; r < gids.length; r++) {
        for (const i of byId.get(gids[r] as number) ?? []) {
          out[i]!.push(picks[i]!.map((at) => found[at]![r]));
        }
      }
      return out;
    },
  };
}

/**
 * Groupings held at once by one scan. All 16 of the default pipeline's counts in one scan peaked at
 * 1,036 MiB for a fit of the bench's 1M lines, four at a time at 870 MiB in the same wall time (paired
 * runs, 1.00×); two at a time saved a little more memory and cost time.
 */
export const GROUPINGS_PER_SCAN = 4;

/**
 * Each grouping's rows (in the layout {@link GroupingSets.split} gives), computed by GROUPING SETS scans
 * of {@link GROUPINGS_PER_SCAN} groupings each.
 */
export async function groupedRows({
  connection,
  groupings,
  joined,
  tag,
}: {
  connection: DuckDBConnection;
  groupings: readonly Grouping[];
  joined: ReadonlyMap<string, Joined>;
  /** Names the scans' temporary tables (see `codedRows`). */
  tag: string;
}): Promise<unknown[][][]> {
  const rows: unknown[][][] = [];
  for (let at = 0; at < groupings.length; at += GROUPINGS_PER_SCAN) {
    const sets = groupingSets({ groupings: groupings.slice(at, at + GROUPINGS_PER_SCAN), joined });
    rows.push(...sets.split(await codedRows({ connection, sql: sets.sql, columns: sets.columns, tag })));
  }
  return rows;
}

/** A grouping's rows (as `split` lays them out) as the distinct combinations core's `flagRows` judges. */
export function candidateRows(grouping: Grouping, rows: readonly unknown[][]): CandidateRow[] {
  const width = grouping.fields.length + (grouping.bin === undefined ? 0 : 2);
  const reps = grouping.representatives.length;
  return rows.map((row) => ({
    values: row.slice(0, grouping.fields.length) as FieldValue[],
    representatives: row.slice(width, width + reps) as FieldValue[],
  }));
}
