import type { CountQuery, RawCountRow } from "@oddity/core";

/**
 * True when `wide`'s rows hold `narrow`'s: its fields are among `wide`'s, and its bin, if any, is
 * `wide`'s. Summing `wide`'s rows over the other fields (and bins, when `narrow` has none) gives them.
 */
export function covers(wide: CountQuery, narrow: CountQuery): boolean {
  if (narrow.bin !== undefined) {
    if (wide.bin === undefined) return false;
    if (wide.bin.field !== narrow.bin.field) return false;
    if (wide.bin.relativeAccuracy !== narrow.bin.relativeAccuracy) return false;
  }
  return narrow.fields.every((f) => wide.fields.includes(f));
}

/**
 * The queries the cluster needs to run: those no other query covers (for equal ones, the first). The
 * others are rolled up from a covering one's rows in Node ({@link rollUp}), which costs a pass over rows
 * already here rather than another GROUP BY over every line.
 */
export function coveringQueries(queries: readonly CountQuery[]): CountQuery[] {
  const unique = queries.filter((q, i) => queries.findIndex((o) => o.key === q.key) === i);
  // Wider queries first, so that a query is kept only when nothing kept so far covers it.
  const order = unique
    .map((query, i) => ({ query, i, width: query.fields.length + (query.bin === undefined ? 0 : 1) }))
    .sort((a, b) => b.width - a.width || a.i - b.i);
  const kept: CountQuery[] = [];
  for (const { query } of order) if (!kept.some((k) => covers(k, query))) kept.push(query);
  return kept;
}

// An injective text for a row's values: a string's length before it, so no value can end another.
function part(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "number") return `n${value}`;
  return `${value.length}:${value}`;
}

/** `narrow`'s rows, summed from the rows of `wide`, which covers it (see {@link covers}). */
export function rollUp({
  wide,
  narrow,
  rows,
}: {
  wide: CountQuery;
  narrow: CountQuery;
  rows: readonly RawCountRow[];
}): RawCountRow[] {
  const at = narrow.fields.map((f) => wide.fields.indexOf(f));
  const binned = narrow.bin !== undefined;
  const sums = new Map<string, RawCountRow>();
  for (const row of rows) {
    let key = "";
    for (const i of at) key += part(row.values[i]);
    if (binned) key += row.bin === null || row.bin === undefined ? "-" : `b${row.bin.sign},${row.bin.key}`;
    const seen = sums.get(key);
    if (seen !== undefined) {
      seen.count += row.count;
      continue;
    }
    const values = at.map((i) => row.values[i]!);
    sums.set(key, binned ? { values, bin: row.bin ?? null, count: row.count } : { values, count: row.count });
  }
  return [...sums.values()];
}

/**
 * Every query's rows: those run from the results, the others summed from the smallest covering table,
 * run or itself summed (widest first, so a narrow one sums a table already narrowed).
 */
export function withRolledUp({
  queries,
  ran,
}: {
  queries: readonly CountQuery[];
  ran: ReadonlyMap<string, readonly RawCountRow[]>;
}): Map<string, readonly RawCountRow[]> {
  const results = new Map<string, readonly RawCountRow[]>(ran);
  const sources = [...ran.keys()].map((key) => queries.find((q) => q.key === key)!);
  const rest = queries
    .filter((q, i) => !ran.has(q.key) && queries.findIndex((o) => o.key === q.key) === i)
    .sort((a, b) => b.fields.length + (b.bin ? 1 : 0) - (a.fields.length + (a.bin ? 1 : 0)));
  for (const query of rest) {
    const wide = sources
      .filter((r) => covers(r, query))
      .sort((a, b) => results.get(a.key)!.length - results.get(b.key)!.length)[0];
    if (wide === undefined) throw new Error(`no query run covers ${query.key}; this is a bug`);
    results.set(query.key, rollUp({ wide, narrow: query, rows: results.get(wide.key)! }));
    sources.push(query);
  }
  return results;
}
