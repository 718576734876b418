import type { ConditionalSummary, DistributionSummary, FrequencySummary, Summary } from "@oddity/core";

/** Bars a frequency chart shows at most: the most frequent values and the rare tail. */
export const MAX_FREQUENCY_BARS = { head: 15, tail: 25 } as const;
/** Rows (given values) and columns (target values) a heat map shows at most. */
export const MAX_HEATMAP = { given: 30, target: 20 } as const;
/** Groups a distribution chart shows at most. */
export const MAX_GROUPS = 30;
/** Characters of a log value kept in report data; a 1 MB user agent must not make a 1 MB report. */
export const MAX_VALUE_LENGTH = 300;

/** Shortens a log value for report data; the same function applies to findings so links still match. */
export function clipValue(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH)}…` : value;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A summary cut to what one chart can show, and how much was left out. */
export interface Limited<S extends Summary> {
  summary: S;
  omitted: { what: string; count: number } | null;
}

/** Keeps the head (most frequent) and the rare tail of a value-frequency summary. */
export function limitFrequency(summary: FrequencySummary): Limited<FrequencySummary> {
  const sorted = summary.values
    .map((v) => ({ ...v, value: clipValue(v.value) }))
    .sort((a, b) => b.count - a.count || byText(a.value, b.value));
  const { head, tail } = MAX_FREQUENCY_BARS;
  const kept = sorted.length <= head + tail ? sorted : [...sorted.slice(0, head), ...sorted.slice(-tail)];
  const hidden = Math.max(summary.distinct, summary.values.length) - kept.length;
  return {
    summary: { ...summary, values: kept },
    omitted: hidden > 0 ? { what: "values", count: hidden } : null,
  };
}

/**
 * Keeps the rows and columns of a conditional table that matter most: those holding flagged cells
 * first, then the most frequent.
 */
export function limitConditional(summary: ConditionalSummary): Limited<ConditionalSummary> {
  const cells = summary.cells.map((c) => ({ ...c, given: clipValue(c.given), target: clipValue(c.target) }));
  const givens = new Map<string, { count: number; flagged: boolean }>();
  for (const c of cells) {
    const g = givens.get(c.given) ?? { count: c.givenCount, flagged: false };
    g.flagged ||= c.flagged;
    givens.set(c.given, g);
  }
  const rank = (entries: Map<string, { count: number; flagged: boolean }>, max: number) =>
    new Set(
      [...entries]
        .sort(([a, x], [b, y]) => Number(y.flagged) - Number(x.flagged) || y.count - x.count || byText(a, b))
        .slice(0, max)
        .map(([value]) => value),
    );
  const keptGivens = rank(givens, MAX_HEATMAP.given);
  const targets = new Map<string, { count: number; flagged: boolean }>();
  for (const c of cells) {
    if (!keptGivens.has(c.given)) continue;
    const t = targets.get(c.target) ?? { count: 0, flagged: false };
    t.count += c.count;
    t.flagged ||= c.flagged;
    targets.set(c.target, t);
  }
  const keptTargets = rank(targets, MAX_HEATMAP.target);
  const kept = cells.filter((c) => keptGivens.has(c.given) && keptTargets.has(c.target));
  const hidden = cells.length - kept.length;
  return {
    summary: { ...summary, cells: kept },
    omitted: hidden > 0 ? { what: "cells", count: hidden } : null,
  };
}

/** Keeps the groups holding outliers of interest (`preferred`), then the largest groups. */
export function limitDistribution(
  summary: DistributionSummary,
  preferred: ReadonlySet<string> = new Set(),
): Limited<DistributionSummary> {
  const groups = summary.groups.map((g) => ({ ...g, group: clipValue(g.group) }));
  const chosen = [...groups]
    .sort(
      (a, b) =>
        Number(preferred.has(b.group)) - Number(preferred.has(a.group)) ||
        b.count - a.count ||
        byText(a.group, b.group),
    )
    .slice(0, MAX_GROUPS);
  chosen.sort((a, b) => b.count - a.count || byText(a.group, b.group));
  const hidden = groups.length - chosen.length;
  return {
    summary: { ...summary, groups: chosen },
    omitted: hidden > 0 ? { what: "groups", count: hidden } : null,
  };
}
