import type { SplitGrouping } from "./split-queries.js";

/** Where a grouping's rows come from: its own scan (`root` is itself), or a grouping that covers it. */
export interface Covering {
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
export function coverings(groupings: readonly SplitGrouping[]): Covering[] {
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
export function project({
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
