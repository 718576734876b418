import type { CountSpec, CountTables } from "@oddity/core";
import type { ResolvedOptions } from "./options.js";
import { groupKey, observeValue, type SizeState } from "./state.js";

const VALUES = "values";

/**
 * What `observe` learns, as one grouped count: records per group and value of the numeric field. The
 * value is grouped by, not binned: a distribution keeps its values exactly up to `exactLimit` of them,
 * and its min and max always, which sketch bins cannot give back.
 */
export function countSpecs(options: ResolvedOptions): CountSpec[] {
  return [{ id: VALUES, fields: [...options.groupBy, options.field] }];
}

/** The field's text as a number, as `getFieldNumber` reads it from a record: null when not a finite number. */
function numberOf(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === "") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The group of a row's leading values, or null when any is absent (as `groupReader` reads a record). */
function groupOf(
  values: ReadonlyArray<string | null>,
  size: number,
): { key: string; labels: string[] } | null {
  if (size === 0) return null;
  const labels: string[] = [];
  for (let i = 0; i < size; i++) {
    const label = values[i];
    if (label === null || label === undefined) return null;
    labels.push(label);
  }
  return { key: groupKey(labels), labels };
}

/**
 * Adds the count rows of {@link countSpecs} to a state, as observing the records would: distributions,
 * min and max do not depend on the order or grouping of what they add, nor does which groups are tracked.
 */
export function foldCounts({
  state,
  tables,
  options,
}: {
  state: SizeState;
  tables: CountTables;
  options: ResolvedOptions;
}): void {
  const rows = tables.get(VALUES);
  if (rows === undefined) throw new Error(`no count rows for ${VALUES}`);
  const size = options.groupBy.length;
  for (const { values, count } of rows) {
    const value = numberOf(values[size]);
    if (value === null) state.missing += count;
    else observeValue({ state, value, group: groupOf(values, size), options, count });
  }
}
