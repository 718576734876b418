import {
  deriveRows,
  type ConditionalProfiler,
  type CountQuery,
  type CountSpec,
  type FieldProfiler,
  type RawCountRow,
} from "@oddity/core";

/** The grouped counts an engine computes for a profile: each field's values, and each pair. */
export function profileSpecs({
  profiler,
  conditional,
}: {
  profiler: FieldProfiler;
  conditional: readonly ConditionalProfiler[];
}): CountSpec[] {
  return [
    ...profiler.fields.map((field, i) => ({ id: `field:${i}`, fields: [field] })),
    ...conditional.map((c, i) => ({ id: `pair:${i}`, fields: [c.given, c.target] })),
  ];
}

/** The grouped counts an engine brought back, as the profile's tables (derived fields computed here). */
export function addCountedTables({
  profiler,
  conditional,
  specs,
  queries,
  results,
  records,
}: {
  profiler: FieldProfiler;
  conditional: ConditionalProfiler[];
  specs: CountSpec[];
  queries: CountQuery[];
  results: ReadonlyMap<string, readonly RawCountRow[]>;
  records: number;
}): void {
  const rows = (i: number) => deriveRows(specs[i]!, queries[i]!, results.get(queries[i]!.key) ?? []);
  const NONE = "-";
  profiler.addCounts({
    fields: [...profiler.fields],
    total: records,
    counts: profiler.fields.map((_, i) => rows(i).map((r) => [r.values[0] ?? NONE, r.count])),
  });
  conditional.forEach((c, i) => {
    const cells = new Map<string, Array<[string, number]>>();
    for (const r of rows(profiler.fields.length + i)) {
      const given = r.values[0] ?? NONE;
      let inner = cells.get(given);
      if (inner === undefined) cells.set(given, (inner = []));
      inner.push([r.values[1] ?? NONE, r.count]);
    }
    c.addCounts({ given: c.given, target: c.target, total: records, cells: [...cells] });
  });
}

/** The offset of a log time such as `16/Apr/2019:19:34:42 +0100` or an ISO time, in minutes east of UTC. */
export function offsetMinutes(text: string | null): number | null {
  if (text === null) return null;
  if (/Z$/.test(text)) return 0;
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(text);
  return m === null ? null : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
