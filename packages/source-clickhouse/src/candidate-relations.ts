import type { ClickHouseClient } from "@clickhouse/client";
import { selectTsv } from "./count-rows.js";
import type { DerivedJoin } from "./derive.js";
import { chIdentifier } from "./escape.js";
import { coverings, project } from "./coverings.js";
import type { LineSplitPlan } from "./line-plan.js";
import { distinctOfSplit, groupingsSql, splitField, type SplitGrouping } from "./split-queries.js";

// A GROUP BY's rows, each its cells, NULL as null. Its cells are hex and numbers, which TabSeparated
// writes as they are, so no cell is unescaped.
async function groupedCells({
  client,
  sql,
  signal,
}: {
  client: ClickHouseClient;
  sql: string;
  signal: AbortSignal | undefined;
}): Promise<Array<Array<string | null>>> {
  const rows: Array<Array<string | null>> = [];
  await selectTsv({
    client,
    sql,
    signal,
    onRow: (_, cells) => rows.push(cells.map((cell) => (cell === "\\N" ? null : cell))),
  });
  return rows;
}

/** The rows of each grouping: its keys' text, then its least values' (NULL as null); started on demand. */
export interface Groupings {
  /** Sends the grouping's query, if not yet sent. */
  start(index: number): void;
  rows(index: number): Promise<Array<Array<string | null>>>;
}

/**
 * Where `candidateCondition` finds the records' fields: columns of a table (or a wrapped query), or
 * the fields a raw-line column's split gives the lines it reads (`LineSplit`).
 */
export interface Relation {
  /** SQL of each record field (or a query's extra) the relation holds; the others are absent from every record. */
  fields: ReadonlyMap<string, string>;
  /** The query listing the distinct values of the derived fields' input (`deriveJoin`'s `distinct`). */
  distinct: (sql: string) => string;
  /** A prefix of the joined columns' names that no column of the table starts with. */
  prefix: string;
  /** Groups the rows holding the fields by each grouping, keyed through `mapped` where derived. */
  group: (groupings: readonly SplitGrouping[], mapped: DerivedJoin | null) => Groupings;
  /** What follows `FROM from` in the streaming SELECT, to test every row, joined with `mapped` if given. */
  streamed: (mapped: DerivedJoin | null) => string;
  /** The SQL of a row's derived input, on which `mapped`'s values are read in the streaming SELECT. */
  key: (mapped: DerivedJoin) => string;
}

// A derived value's text as a GROUP BY prints it: hex, like the raw text values.
const derivedText = (mapped: DerivedJoin, field: string, input: string) =>
  `hex(toString(${mapped.value(field, input)}))`;

// One GROUP BY per grouping, a few in flight while Node judges the rows of the first.
export function columnRelation({
  client,
  from,
  fields,
  extras,
  prefix,
  signal,
}: {
  client: ClickHouseClient;
  from: string;
  fields: readonly string[];
  /** Extra fields, by name, and the SQL of their values over `from`. */
  extras: ReadonlyMap<string, string>;
  /** A prefix no column of `from` starts with, for the names of what is selected over it. */
  prefix: string;
  signal: AbortSignal | undefined;
}): Relation {
  const name = (result: string) => chIdentifier(`${prefix}${result}`);
  return {
    fields: new Map([...fields.map((f): [string, string] => [f, chIdentifier(f)]), ...extras]),
    distinct: (x) =>
      `SELECT hex(${x}) AS ${name("h")} FROM ${from} WHERE isNotNull(${x}) GROUP BY ${name("h")}`,
    prefix: `${prefix}derived_`,
    group: (groupings, mapped) => {
      const sent = new Map<number, Promise<Array<Array<string | null>>>>();
      const sqlOf = ({ keys, least = [] }: SplitGrouping) => {
        if (keys.length === 0) return `SELECT 1 FROM ${from} LIMIT 1`;
        const derived = keys.some((k) => "derived" in k);
        const columns = [
          ...keys.map(
            (k, j) =>
              `${"sql" in k ? k.sql : derivedText(mapped!, k.derived, mapped!.input)} AS ${name(`k${j}`)}`,
          ),
          ...least.map((sql, j) => `min(${sql}) AS ${name(`r${j}`)}`),
        ];
        const join = derived && mapped !== null ? mapped.join(mapped.input) : "";
        return `SELECT ${columns.join(", ")} FROM ${from}${join} GROUP BY ${keys.map((_, j) => name(`k${j}`)).join(", ")}`;
      };
      const start = (index: number) => {
        if (sent.has(index)) return;
        const rows = groupedCells({ client, sql: sqlOf(groupings[index]!), signal });
        // Awaited in turn; a failure while an earlier one is judged must not go unhandled.
        rows.catch(() => {});
        sent.set(index, rows);
      };
      return {
        start,
        rows: (index) => {
          start(index);
          return sent.get(index)!;
        },
      };
    },
    streamed: (mapped) => (mapped === null ? "" : mapped.join(mapped.input)),
    key: (mapped) => mapped.input,
  };
}

// The split's fields are WITH aliases over the table, defined on every row and meaningful where `plain`.
// Splitting a line costs more than grouping it: every grouping is one scan (`groupingsSql`), as the fit's
// counts are. A join comes after an ARRAY JOIN in 18.16 and its key can be an element of it: the streaming
// SELECT carries the path, as text, as the one element of each row.
export function lineRelation({
  client,
  plan,
  signal,
}: {
  client: ClickHouseClient;
  plan: LineSplitPlan;
  signal: AbortSignal | undefined;
}): Relation {
  const { split } = plan;
  const key = `${split.prefix}path_key`;
  return {
    fields: new Map(Object.keys(split.fields).map((f) => [f, splitField(split, f)])),
    distinct: (sql) => distinctOfSplit({ plan, sql }),
    prefix: `${split.prefix}derived_`,
    group: (groupings, mapped) => {
      // Only the groupings no other covers are scanned; the others are their rows' projections.
      const covered = coverings(groupings);
      const roots = groupings.flatMap((_, i) => (covered[i]!.root === i ? [i] : []));
      // Each root's rows, by its place among the roots (the scan's `qi`).
      let scan: Promise<Array<Array<Array<string | null>>>> | null = null;
      const start = () => {
        if (scan !== null) return;
        const sql = groupingsSql({
          split,
          from: plan.from,
          groupings: roots.map((i) => groupings[i]!),
          derived: mapped,
          derivedKey: (field, input) => derivedText(mapped!, field, input),
        });
        scan = groupedCells({ client, sql, signal }).then((rows) => {
          const byRoot = roots.map((): Array<Array<string | null>> => []);
          for (const cells of rows) byRoot[Number(cells[0])]!.push(cells);
          return byRoot;
        });
        scan.catch(() => {});
      };
      const width = Math.max(1, ...roots.map((i) => groupings[i]!.keys.length));
      const byIndex = new Map<number, Promise<Array<Array<string | null>>>>();
      const rowsOf = (index: number): Promise<Array<Array<string | null>>> => {
        if (!byIndex.has(index)) {
          const { root, keyAt, leastAt } = covered[index]!;
          const at = roots.indexOf(root);
          const { keys, least = [] } = groupings[root]!;
          const own =
            root === index
              ? scan!.then((byRoot) =>
                  byRoot[at]!.map((cells) => [
                    ...cells.slice(1, 1 + keys.length),
                    ...cells.slice(1 + width, 1 + width + least.length),
                  ]),
                )
              : rowsOf(root).then((rows) => project({ rows, width: keys.length, keyAt, leastAt }));
          byIndex.set(index, own);
        }
        return byIndex.get(index)!;
      };
      return {
        start,
        rows: (index) => {
          start();
          return rowsOf(index);
        },
      };
    },
    streamed: (mapped) =>
      mapped === null
        ? ""
        : ` ARRAY JOIN [toNullable(toString(${mapped.input}))] AS ${key}${mapped.join(key)}`,
    key: () => key,
  };
}
