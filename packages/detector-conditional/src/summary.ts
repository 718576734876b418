import { splitPairKey, type ConditionalSummary } from "@oddity/core";
import { judge } from "./judge.js";
import type { PairRule } from "./options.js";
import type { PairCounts } from "./state.js";

/** Given and target values shown per heat map axis (the most frequent ones). */
export const SUMMARY_AXIS = 20;
/** Flagged cells shown beyond the axes, most improbable first. */
export const SUMMARY_FLAGGED = 100;

/**
 * The conditional table of one pair for heat maps: cells of the {@link SUMMARY_AXIS} most frequent given
 * values × target values, plus up to {@link SUMMARY_FLAGGED} flagged cells elsewhere; at most 500 cells,
 * sorted by given count, given, cell count, target.
 */
export function conditionalSummary(
  detector: string,
  counts: PairCounts,
  rule: PairRule,
  smoothing: number,
): ConditionalSummary {
  const topGivens = new Set(
    counts.givens
      .sorted()
      .slice(0, SUMMARY_AXIS)
      .map(([v]) => v),
  );
  const topTargets = new Set(
    counts.targets
      .sorted()
      .slice(0, SUMMARY_AXIS)
      .map(([v]) => v),
  );
  type Cell = ConditionalSummary["cells"][number];
  const onAxes: Cell[] = [];
  const flaggedElsewhere: Cell[] = [];
  for (const [key] of counts.cells.entries()) {
    const [given, target] = splitPairKey(key);
    const j = judge(counts, rule, smoothing, given, target);
    const cell: Cell = {
      given,
      target,
      count: j.count,
      givenCount: j.givenCount,
      probability: j.probability,
      flagged: j.flagged,
    };
    if (topGivens.has(given) && topTargets.has(target)) onAxes.push(cell);
    else if (j.flagged) flaggedElsewhere.push(cell);
  }
  flaggedElsewhere.sort((x, y) => x.probability - y.probability || order(x, y));
  const cells = [...onAxes, ...flaggedElsewhere.slice(0, SUMMARY_FLAGGED)].sort(order);
  return {
    kind: "conditional",
    detector,
    given: rule.given,
    target: rule.target,
    cells,
    threshold: rule.threshold,
    minSupport: rule.minSupport,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function order(x: ConditionalSummary["cells"][number], y: ConditionalSummary["cells"][number]): number {
  return (
    y.givenCount - x.givenCount ||
    compareText(x.given, y.given) ||
    y.count - x.count ||
    compareText(x.target, y.target)
  );
}
