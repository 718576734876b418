import type { FrequencySummary } from "@oddity/core";
import type { FieldCut } from "./cutoff.js";
import type { FieldCounts } from "./state.js";

/** Most frequent values shown per field. */
export const SUMMARY_HEAD = 20;
/** Rarest values shown per field (the flagged tail, when there is one). */
export const SUMMARY_TAIL = 30;

/**
 * The value frequencies of one field for reports: the head and the rare tail of the exactly counted
 * values (at most {@link SUMMARY_HEAD} + {@link SUMMARY_TAIL} rows), most frequent first.
 */
export function frequencySummary(
  detector: string,
  { field, counter }: FieldCounts,
  cut: FieldCut,
): FrequencySummary {
  const total = counter.total;
  const sorted = counter.sorted();
  const shown =
    sorted.length <= SUMMARY_HEAD + SUMMARY_TAIL
      ? sorted
      : [...sorted.slice(0, SUMMARY_HEAD), ...sorted.slice(-SUMMARY_TAIL)];
  return {
    kind: "frequencies",
    detector,
    field,
    total,
    distinct: counter.distinct,
    values: shown.map(([value, count]) => ({
      value,
      count,
      probability: count / total,
      flagged: count < cut.belowCount,
    })),
    threshold: total === 0 ? 0 : Math.max(0, cut.maxFlaggedCount) / total,
  };
}
