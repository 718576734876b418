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
import { deriveJoin, querySettings, type DerivedJoin } from "./derive.js";
import { chIdentifier, chString } from "./escape.js";
import { selectJson } from "./fit.js";
import {
  distinctOfSplit,
  groupingsSql,
  numberedLines,
  planLineSplit,
  splitField,
  type LineSplitPlan,
  type SplitGrouping,
} from "./lines.js";
import {
  readClickHouse,
  type ClickHouseRecordStream,
  type LineSelection,
  type ReadClickHouseOptions,
} from "./read.js";

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

async function tsvText({
  client,
  sql,
  signal,
}: {
  client: ClickHouseClient;
  sql: string;
  signal: AbortSignal | undefined;
}): Promise<string> {
  const result = await client.query({
    query: sql,
    format: "TabSeparated",
    // A GROUP BY joining the table of every distinct path outgrows the default 256 KiB of query.
    ...querySettings(sql),
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  return result.text();
}

/** The rows of each grouping: its keys' text, then its least values' (NULL as null); started on demand. */
interface Groupings {
  /** Sends the grouping's query, if not yet sent. */
  start(index: number): void;
  rows(index: number): Promise<Array<Array<string | null>>>;
}

/**
 * Where {@link candidateCondition} finds the records' fields: columns of a table (or a wrapped query), or
 * the fields a raw-line column's split gives the lines it reads (`LineSplit`).
 */
interface Relation {
  /** SQL of each record field the relation holds; the others are absent from every record. */
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

function cellsOf(text: string): Array<Array<string | null>> {
  return text === ""
    ? []
    : text
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => line.split("\t").map((cell) => (cell === "\\N" ? null : cell)));
}

// One GROUP BY per grouping, a few in flight while Node judges the rows of the first.
function columnRelation({
  client,
  from,
  fields,
  signal,
}: {
  client: ClickHouseClient;
  from: string;
  fields: readonly string[];
  signal: AbortSignal | undefined;
}): Relation {
  return {
    fields: new Map(fields.map((f) => [f, chIdentifier(f)])),
    distinct: (x) => `SELECT hex(${x}) AS h FROM ${from} WHERE isNotNull(${x}) GROUP BY h`,
    prefix: "oddity_derived_",
    group: (groupings, mapped) => {
      const sent = new Map<number, Promise<Array<Array<string | null>>>>();
      const sqlOf = ({ keys, least = [] }: SplitGrouping) => {
        if (keys.length === 0) return `SELECT 1 FROM ${from} LIMIT 1`;
        const derived = keys.some((k) => "derived" in k);
        const columns = [
          ...keys.map(
            (k, j) => `${"sql" in k ? k.sql : derivedText(mapped!, k.derived, mapped!.input)} AS k${j}`,
          ),
          ...least.map((sql, j) => `min(${sql}) AS r${j}`),
        ];
        const join = derived && mapped !== null ? mapped.join(mapped.input) : "";
        return `SELECT ${columns.join(", ")} FROM ${from}${join} GROUP BY ${keys.map((_, j) => `k${j}`).join(", ")}`;
      };
      const start = (index: number) => {
        if (sent.has(index)) return;
        const rows = tsvText({ client, sql: sqlOf(groupings[index]!), signal }).then(cellsOf);
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

/** Where a grouping's rows come from: its own scan (`root` is itself), or a grouping that covers it. */
interface Covering {
  root: number;
  /** For each key (least value) of the grouping, its place among the root's. */
  keyAt: number[];
  leastAt: number[];
}

/**
 * For each grouping, a grouping whose keys and least values include all of its own, no other including
 * them in turn (of two with the same, the first): its rows, projected, are the grouping's, each group's
 * least values the least of those projected onto it. Every line the SQL reads is in every grouping.
 */
function coverings(groupings: readonly SplitGrouping[]): Covering[] {
  const keysOf = groupings.map((g) => g.keys.map((k) => JSON.stringify(k)));
  const leastOf = groupings.map((g) => [...(g.least ?? [])]);
  const within = (i: number, j: number) =>
    keysOf[i]!.every((k) => keysOf[j]!.includes(k)) && leastOf[i]!.every((l) => leastOf[j]!.includes(l));
  const isRoot = (i: number) =>
    groupings.every((_, j) => j === i || !within(i, j) || (within(j, i) && i < j));
  const roots = groupings.flatMap((_, i) => (isRoot(i) ? [i] : []));
  return groupings.map((_, i) => {
    const root = isRoot(i) ? i : (roots.find((j) => within(i, j)) ?? i);
    return {
      root,
      keyAt: keysOf[i]!.map((k) => keysOf[root]!.indexOf(k)),
      leastAt: leastOf[i]!.map((l) => leastOf[root]!.indexOf(l)),
    };
  });
}

// A covering grouping's rows (its keys' cells, then its least values') onto a grouping it covers.
function project({
  rows,
  width,
  keyAt,
  leastAt,
}: {
  rows: ReadonlyArray<ReadonlyArray<string | null>>;
  width: number;
  keyAt: readonly number[];
  leastAt: readonly number[];
}): Array<Array<string | null>> {
  const groups = new Map<string, Array<string | null>>();
  for (const row of rows) {
    const keys = keyAt.map((at) => row[at] ?? null);
    const id = JSON.stringify(keys);
    const least = leastAt.map((at) => row[width + at] ?? null);
    const group = groups.get(id);
    if (group === undefined) {
      groups.set(id, [...keys, ...least]);
      continue;
    }
    // As ClickHouse's min: NULL is no value, text compares byte by byte (hex and numbers are ASCII).
    least.forEach((value, j) => {
      const at = keys.length + j;
      const held = group[at] ?? null;
      if (value !== null && (held === null || value < held)) group[at] = value;
    });
  }
  return [...groups.values()];
}

// The split's fields are WITH aliases over the table, defined on every row and meaningful where `plain`.
// Splitting a line costs more than grouping it: every grouping is one scan (`groupingsSql`), as the fit's
// counts are. A join comes after an ARRAY JOIN in 18.16 and its key can be an element of it: the streaming
// SELECT carries the path, as text, as the one element of each row.
function lineRelation({
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
        scan = tsvText({ client, sql, signal }).then((text) => {
          const byRoot = roots.map((): Array<Array<string | null>> => []);
          for (const cells of cellsOf(text)) byRoot[Number(cells[0])]!.push(cells);
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

/** What {@link candidateCondition} reads: a table's columns, or the lines of a raw-line column's split. */
export type CandidateSource =
  | {
      /** The table, escaped: `db`.`table`, or a wrapped query. */
      from: string;
      /** The record fields the table holds as columns; the others are absent from every record. */
      fields: readonly string[];
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
      : columnRelation({ client, from: options.from, fields: options.fields, signal });
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

/**
 * The rows of a raw-line column worth streaming back to score against `model` (see {@link
 * candidateCondition}): the lines the SQL reads whose fields meet the condition, and every line it does
 * not read (oddity's parser parses or rejects those), each numbered among all rows in key order. Null
 * when every row must be streamed: lines of a format the SQL does not split, or no condition.
 */
async function selectLines({
  client,
  model,
  plan,
  primaryKey,
  signal,
}: {
  client: ClickHouseClient;
  model: Model;
  plan: LineSplitPlan;
  primaryKey: string;
  signal: AbortSignal | undefined;
}): Promise<LineSelection | null> {
  const { split } = plan;
  const counted = selectJson({
    client,
    signal,
    sql: `WITH ${split.with}\nSELECT count() AS n, sum(${split.bytes}) AS b FROM ${plan.from}`,
  });
  // Awaited once the selected rows are read; a failure before then must not go unhandled.
  counted.catch(() => {});
  const { sql, join } = await candidateCondition({ client, model, lines: plan, signal });
  if (sql === null) return null;
  return {
    sql: numberedLines({
      plan,
      keep: `NOT ${split.plain} OR (${sql})`,
      join,
      columns: [
        { name: "key", sql: chIdentifier(primaryKey) },
        { name: "bytes", sql: `identity(${split.bytes})` },
      ],
    }),
    spec: plan.leftoverFormat,
    format: plan.format,
    warnings: plan.warnings,
    // The NCSA reader counts records per layout, and every line the SQL reads is of the plan's.
    layout: plan.leftoverFormat.name === "ncsa" ? plan.layout : null,
    totals: async () => {
      const [row] = await counted;
      return { rows: Number(row!.n), bytes: Number(row!.b) };
    },
  };
}

/**
 * `readClickHouse` for scoring against `model`: with a `primaryKey`, only the rows the model could flag
 * are streamed back (see {@link candidateCondition}), each with the `line` the whole result ordered by
 * the key gives it, and the rest are counted as read and parsed (and as `stats.unscored`). For a table
 * of parsed columns (or a `query`) that is the rows whose fields meet the condition; for a raw-line
 * `column` of common or combined lines, split in SQL (see `planLineSplit`), the lines the SQL reads
 * whose fields meet it and every line it does not read, parsed or rejected by oddity's parser as the
 * streamed read does. Without a key (the order, and so the lines, would be the server's), or for lines
 * of another format, every row is.
 */
export function readClickHouseCandidates(
  options: ReadClickHouseOptions & { model: Model },
): ClickHouseRecordStream {
  const { model, ...read } = options;
  if (read.primaryKey === undefined) return readClickHouse(read);
  const { signal } = read;
  return readClickHouse({
    ...read,
    select: async ({ client, from, fields }) => {
      const { sql, join } = await candidateCondition({ client, model, from, fields, signal });
      return sql === null ? null : { where: sql, join };
    },
    selectLines: async ({ client, target, table, column, primaryKey }) => {
      const plan = await planLineSplit({
        client,
        target,
        table,
        column,
        primaryKey,
        format: read.format,
        maxLineLength: read.maxLineLength,
        signal,
      });
      return plan === null ? null : selectLines({ client, model, plan, primaryKey, signal });
    },
  });
}
