import { formatCount, formatProbability, type FrequencySummary } from "@oddity/core";
import type { TopLevelSpec } from "vega-lite";
import { displayText } from "../escape.js";
import type { MarkRegistry } from "../links.js";
import { CHART_CONFIG, CHART_WIDTH, COLORS, spansOrders, uniqueLabels } from "./theme.js";

/** How a chart mark describes its anomaly link in its tooltip. */
export function linkNote(ranks: readonly number[] | undefined): string {
  if (ranks === undefined || ranks.length === 0) return "";
  return ` — click to list ${formatCount(ranks.length)} ${ranks.length === 1 ? "anomaly" : "anomalies"}`;
}

/**
 * A horizontal bar chart of value counts, most frequent first then the rare tail, with flagged values
 * in red, the threshold as a dashed rule (in requests: threshold × total), and a log axis when counts
 * span orders of magnitude.
 */
export function frequencySpec({
  summary,
  links,
  marks,
}: {
  summary: FrequencySummary;
  links: ReadonlyMap<string, readonly number[]>;
  marks: MarkRegistry;
}): TopLevelSpec {
  const labels = uniqueLabels(summary.values.map((v) => v.value));
  const rows = summary.values.map((v, i) => {
    const ranks = links.get(v.value);
    return {
      label: labels[i]!,
      count: v.count,
      status: v.flagged ? "flagged" : "not flagged",
      href: marks.link(ranks ?? []),
      description: `${displayText(v.value, 200)}: ${formatCount(v.count)} of ${formatCount(summary.total)} requests (p=${formatProbability(v.probability)})${v.flagged ? ", flagged" : ""}${linkNote(ranks)}`,
    };
  });
  const thresholdCount = summary.threshold * summary.total;
  const counts = rows.map((r) => r.count);
  const log = spansOrders([...counts, thresholdCount]);
  const maxCount = Math.max(1, ...counts, thresholdCount);
  const minCount = Math.min(...counts.filter((c) => c > 0), thresholdCount > 0 ? thresholdCount : Infinity);
  const domain: [number, number] = log
    ? [Math.max(minCount / 2, 1e-9), maxCount * 1.5]
    : [0, maxCount * 1.05];
  const x = {
    field: "count",
    type: "quantitative" as const,
    title: `requests (of ${formatCount(summary.total)})${log ? ", log scale" : ""}`,
    scale: { type: log ? ("log" as const) : ("linear" as const), domain, nice: false },
  };
  return {
    config: CHART_CONFIG,
    width: CHART_WIDTH - 420,
    height: { step: 16 },
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", cursor: "pointer" },
        encoding: {
          y: { field: "label", type: "nominal", sort: null, title: null, axis: { labelLimit: 400 } },
          x,
          x2: log ? { datum: domain[0] } : { datum: 0 },
          color: {
            field: "status",
            type: "nominal",
            title: null,
            scale: { domain: ["not flagged", "flagged"], range: [COLORS.normal, COLORS.flagged] },
          },
          href: { field: "href" },
          description: { field: "description" },
        },
      },
      {
        data: {
          values: [{ count: thresholdCount, note: `threshold p=${formatProbability(summary.threshold)}` }],
        },
        layer: [
          {
            mark: { type: "rule", color: COLORS.flagged, strokeDash: [4, 3], strokeWidth: 1.5 },
            encoding: { x: { field: "count", type: "quantitative" } },
          },
          {
            mark: {
              type: "text",
              color: COLORS.flagged,
              align: "left",
              dx: 4,
              dy: -4,
              baseline: "bottom",
              y: 0,
            },
            encoding: { x: { field: "count", type: "quantitative" }, text: { field: "note" } },
          },
        ],
      },
    ],
  };
}
