import { formatCount, type DistributionSummary } from "@oddity/core";
import type { TopLevelSpec } from "vega-lite";
import { displayText } from "../escape.js";
import type { MarkRegistry, OutlierPoint } from "../links.js";
import { linkNote } from "./frequency.js";
import { CHART_CONFIG, CHART_WIDTH, COLORS, spansOrders, uniqueLabels } from "./theme.js";

const numberFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });

function fmt(n: number | null): string {
  return n === null ? "none" : numberFormat.format(n);
}

/**
 * One box per group: the full range as a thin rule, the quartiles as a box, the median as a tick, the
 * fences as red ticks, and the flagged values of the listed anomalies as red points. A symmetric log
 * axis (it takes zeros) when values span orders of magnitude.
 */
export function distributionSpec({
  summary,
  points,
  marks,
}: {
  summary: DistributionSummary;
  points: readonly OutlierPoint[];
  marks: MarkRegistry;
}): TopLevelSpec {
  const labels = uniqueLabels(
    summary.groups.map((g) => g.group),
    40,
  );
  const labelOf = new Map(
    summary.groups.map((g, i) => [g.group, `${labels[i]!} (n=${formatCount(g.count)})`]),
  );
  const groupBy = summary.groupBy ?? "all";
  const boxes = summary.groups.map((g, i) => {
    const ranks = points.filter((p) => p.group === g.group).map((p) => p.rank);
    return {
      ...g,
      label: labelOf.get(g.group)!,
      order: i,
      href: marks.link(ranks),
      description: `${groupBy} ${displayText(g.group, 160)}: ${formatCount(g.count)} values; min ${fmt(g.min)}, q1 ${fmt(g.q1)}, median ${fmt(g.median)}, q3 ${fmt(g.q3)}, max ${fmt(g.max)}; fences ${fmt(g.lowerFence)} … ${fmt(g.upperFence)}${linkNote(ranks)}`,
    };
  });
  const dots = points.map((p) => ({
    label: labelOf.get(p.group)!,
    value: p.value,
    href: marks.link([p.rank]),
    description: `anomaly #${p.rank}: ${summary.field} ${fmt(p.value)} in ${groupBy} ${displayText(p.group, 160)} — click to show it`,
  }));
  const fences = boxes.flatMap((b) =>
    [b.lowerFence, b.upperFence]
      .filter((f): f is number => f !== null)
      .map((f) => ({ label: b.label, value: f, description: `fence ${fmt(f)} for ${b.description}` })),
  );
  const all = [
    ...boxes.flatMap((b) => [b.min, b.max]),
    ...dots.map((d) => d.value),
    ...fences.map((f) => f.value),
  ];
  const log = spansOrders(all);
  const positive = all.filter((v) => v > 0);
  const low = positive.length === 0 ? 1 : Math.min(...positive) / 2;
  const high = Math.max(low * 10, ...all) * 1.2;
  // Log scale clamped at its low end: zeros and negative fences sit at the left edge instead of vanishing.
  const scale = log
    ? { type: "log" as const, domain: [low, high], clamp: true, nice: false }
    : { zero: false };
  const title = `${summary.field}${log ? ` (log scale; values ≤ ${fmt(low)} drawn at the left edge)` : ""}`;
  const y = {
    field: "label",
    type: "nominal" as const,
    sort: { field: "order" },
    // The chart's heading names the grouping; an axis title would only crowd the labels.
    title: null,
    axis: { labelLimit: 340 },
  };
  return {
    config: CHART_CONFIG,
    width: CHART_WIDTH - 400,
    height: { step: 22 },
    layer: [
      {
        data: { values: boxes },
        encoding: { y },
        layer: [
          {
            mark: { type: "rule", color: COLORS.muted },
            encoding: { x: { field: "min", type: "quantitative", scale, title }, x2: { field: "max" } },
          },
          {
            mark: { type: "bar", color: COLORS.normal, size: 12, cursor: "pointer" },
            encoding: {
              x: { field: "q1", type: "quantitative" },
              x2: { field: "q3" },
              href: { field: "href" },
              description: { field: "description" },
            },
          },
          {
            mark: { type: "tick", color: COLORS.ink, thickness: 2, size: 14 },
            encoding: { x: { field: "median", type: "quantitative" }, description: { field: "description" } },
          },
        ],
      },
      {
        data: { values: fences },
        mark: { type: "tick", color: COLORS.flagged, thickness: 1.5, size: 18, strokeDash: [3, 2] },
        encoding: {
          y: { field: "label", type: "nominal" },
          x: { field: "value", type: "quantitative" },
          description: { field: "description" },
        },
      },
      {
        data: { values: dots },
        mark: {
          type: "point",
          filled: true,
          color: COLORS.flagged,
          size: 40,
          opacity: 0.85,
          cursor: "pointer",
        },
        encoding: {
          y: { field: "label", type: "nominal" },
          x: { field: "value", type: "quantitative" },
          href: { field: "href" },
          description: { field: "description" },
        },
      },
    ],
  };
}
