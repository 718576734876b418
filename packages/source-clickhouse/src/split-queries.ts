import type { DerivedJoin } from "./derive.js";
import type { LineSplitPlan } from "./line-plan.js";
import type { LineSplit } from "./lines-sql.js";

const NOTHING = "CAST(NULL AS Nullable(String))";
// LIMIT of the subquery that numbers the rows: no predicate is pushed into a subquery with a LIMIT, which
// would number the filtered rows instead of all of them.
const NO_LIMIT = "18446744073709551615";

/**
 * The SQL of a record field of the split: a WITH alias selected as it is loses its own alias on the way
 * to the shards (ClickHouse 18.16), so it is read through a call. NULL for a field the split never gives.
 */
export function splitField(split: LineSplit, field: string): string {
  const alias = split.fields[field];
  return alias === undefined ? NOTHING : `identity(${alias})`;
}

/**
 * The distinct values of `sql` (an expression over the split) among the lines the SQL reads, as hex in
 * `h`: the query `deriveJoin` takes. A WHERE over the split fails in 18.16 once part of it moves to
 * PREWHERE, so the lines are filtered by arraySlice (as in countAll), and NULL inputs once grouped.
 */
export function distinctOfSplit({ plan, sql }: { plan: LineSplitPlan; sql: string }): string {
  const { split } = plan;
  return `WITH ${split.with}\nSELECT hex(${sql}) AS h FROM ${plan.from} ARRAY JOIN arraySlice([0], 1, ${split.plain}) AS ${split.prefix}one GROUP BY h HAVING isNotNull(h)`;
}

/**
 * The rows of the plan's table for which `keep` holds (SQL over the split and `join`), each after its
 * 1-based number among all rows in the plan's order: TabSeparated columns the number, the line (as
 * `LineSplit.line`), then `columns`. Each shard sends every row's key and flag but the line (and the
 * columns' values) only where `keep` holds; the initiator merges the shards' sorted parts and numbers
 * the rows (`rowNumberInAllBlocks()` over the sorted subquery, which the `LIMIT` keeps any predicate
 * from being pushed into) before the others are dropped. Without a key, rows are numbered as they come.
 */
export function numberedLines({
  plan,
  keep,
  join = "",
  columns = [],
}: {
  plan: LineSplitPlan;
  keep: string;
  /** What `keep` needs after `FROM table` (empty for none). */
  join?: string;
  /** More columns: a name (a word) and its SQL, NULL where `keep` does not hold. */
  columns?: ReadonlyArray<{ name: string; sql: string }>;
}): string {
  const { split } = plan;
  // Names of the split's own aliases would clash with these: each starts with `row_`, which none does.
  const a = (name: string) => `${split.prefix}row_${name}`;
  const kept = a("kept");
  const extra = columns.map((c) => `, if(${kept}, ${c.sql}, NULL) AS ${a(c.name)}`).join("");
  const names = columns.map((c) => `, ${a(c.name)}`).join("");
  const inner = `WITH ${split.with}\nSELECT identity(${keep}) AS ${kept}, if(${kept}, identity(${split.line}), ${NOTHING}) AS ${a("line")}${extra} FROM ${plan.from}${join}${plan.order}`;
  const numbered = `SELECT rowNumberInAllBlocks() + 1 AS ${a("n")}, ${kept}, ${a("line")}${names} FROM (${inner}) LIMIT ${NO_LIMIT}`;
  return `SELECT ${a("n")}, ${a("line")}${names} FROM (${numbered}) WHERE ${kept}`;
}

/** One grouping of {@link groupingsSql}: its keys, and values each group keeps the least of. */
export interface SplitGrouping {
  /** Each key: its SQL over the split, or a derived field, read through the join on the row's input. */
  keys: ReadonlyArray<{ sql: string } | { derived: string }>;
  /** SQL of values each group keeps the least of (`min`), as text. */
  least?: readonly string[] | undefined;
}

/**
 * Every grouping in one scan of the split: each line the SQL reads becomes one row per grouping (ARRAY
 * JOIN of a tuple per grouping: its index, its keys and `least` values as text and, when a key is
 * derived, the raw input it is joined on), grouped once. Splitting a line costs more than grouping it,
 * so it is split once, not once per grouping; a Distributed table runs it all on every shard. Columns:
 * `qi` (the grouping's index), `k0…` (as many as the widest grouping has keys, NULL past a grouping's
 * own), `m0…` (likewise, the least values), `c` (the lines of the group).
 */
export function groupingsSql({
  split,
  from,
  groupings,
  derived,
  derivedKey = (field, input) => derived!.value(field, input),
}: {
  split: LineSplit;
  from: string;
  groupings: readonly SplitGrouping[];
  derived: DerivedJoin | null;
  /** A derived key's SQL, given its field and the SQL of the input (default: the joined value). */
  derivedKey?: (field: string, input: string) => string;
}): string {
  const text = (sql: string) => (sql === NOTHING ? sql : `toNullable(toString(${sql}))`);
  const isDerived = (key: { sql: string } | { derived: string }) => derived !== null && "derived" in key;
  // A derived key's slot holds NULL in the tuple, and one more slot the raw input it is joined on: the
  // join comes after the ARRAY JOIN, so each row of a grouping by templates is joined on its path.
  const width = Math.max(1, ...groupings.map((g) => g.keys.length));
  const least = Math.max(0, ...groupings.map((g) => g.least?.length ?? 0));
  const fill = (n: number) => Array<string>(n).fill(NOTHING);
  const joined = derived !== null && groupings.some((g) => g.keys.some(isDerived));
  const input = `x.${width + least + 2}`;
  const tuples = groupings.map((g, i) => {
    const keys = g.keys.map((k) => ("sql" in k ? text(k.sql) : NOTHING));
    const mins = (g.least ?? []).map(text);
    const slots = [...keys, ...fill(width - keys.length), ...mins, ...fill(least - mins.length)];
    if (joined) slots.push(g.keys.some(isDerived) ? text(derived.input) : NOTHING);
    return `tuple(toUInt16(${i}), ${slots.join(", ")})`;
  });
  const keys = Array.from({ length: width }, (_, j) => {
    const arms = groupings.flatMap((g, i) => {
      const k = g.keys[j];
      return k !== undefined && "derived" in k && derived !== null
        ? [`qi = ${i}, ${derivedKey(k.derived, input)}`]
        : [];
    });
    return arms.length === 0 ? `x.${j + 2} AS k${j}` : `multiIf(${arms.join(", ")}, x.${j + 2}) AS k${j}`;
  });
  const mins = Array.from({ length: least }, (_, j) => `min(x.${width + j + 2}) AS m${j}`);
  const group = ["qi", ...keys.map((_, j) => `k${j}`)].join(", ");
  const join = joined ? derived.join(input) : "";
  return `WITH ${split.with}\nSELECT x.1 AS qi, ${[...keys, ...mins].join(", ")}, count() AS c FROM ${from} ARRAY JOIN arraySlice([${tuples.join(", ")}], 1, ${groupings.length} * ${split.plain}) AS x${join} GROUP BY ${group}`;
}
