import { pairKey, type CountSpec, type CountTables } from "@oddity/core";
import type { PairRule } from "./options.js";
import { marginalFields, type ConditionalState } from "./state.js";

/** Absent values count under `-`, as the log writes them (and as `observe` counts them). */
const ABSENT = "-";

const marginalId = (field: string) => `marginal:${field}`;
const pairId = (index: number) => `pair:${index}`;

/** What `observe` learns, as grouped counts: one per field the pairs use, and one per pair. */
export function countSpecs(rules: readonly PairRule[]): CountSpec[] {
  return [
    ...marginalFields(rules).map((field) => ({ id: marginalId(field), fields: [field] })),
    ...rules.map((rule, i) => ({ id: pairId(i), fields: [rule.given, rule.target] })),
  ];
}

function rowsOf(tables: CountTables, id: string) {
  const rows = tables.get(id);
  if (rows === undefined) throw new Error(`no count rows for ${id}`);
  return rows;
}

/** Adds the count rows of {@link countSpecs} to a state, as observing the records would. */
export function foldCounts(state: ConditionalState, tables: CountTables): void {
  state.fields.forEach((field, f) => {
    const counter = state.marginals[f]!;
    for (const { values, count } of rowsOf(tables, marginalId(field)))
      counter.add(values[0] ?? ABSENT, count);
  });
  state.pairs.forEach((pair, i) => {
    for (const { values, count } of rowsOf(tables, pairId(i))) {
      pair.cells.add(pairKey(values[0] ?? ABSENT, values[1] ?? ABSENT), count);
    }
  });
}
