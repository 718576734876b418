import { formatCount, formatProbability, type ConditionalSummary } from "@oddity/core";
import type { TopLevelSpec } from "vega-lite";
import { displayText } from "../escape.js";
import { cellKey, type MarkRegistry } from "../links.js";
import { linkNote } from "./frequency.js";
import { CHART_CONFIG, COLORS, uniqueLabels } from "./theme.js";

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * A heat map of P(target | given): one row per given value, one column per target value, colour on a
 * log scale of the probability (low = dark), flagged cells outlined in red.
 */
export function conditionalSpec({
  summary,
  links,
  marks,
}: {
  summary: ConditionalSummary;
  links: ReadonlyMap<string, readonly number[]>;
  marks: MarkRegistry;
}): TopLevelSpec {
  const givens = distinct(summary.cells.map((c) => c.given));
  const targets = distinct(summary.cells.map((c) => c.target));
  const givenLabels = uniqueLabels(givens, 40);
  const targetLabels = uniqueLabels(targets, 24);
  const givenIndex = new Map(givens.map((g, i) => [g, i]));
  const targetIndex = new Map(targets.map((t, i) => [t, i]));
  const rows = summary.cells.map((c) => {
    const ranks = links.get(cellKey(c.given, c.target));
    const row = givenIndex.get(c.given)!;
    const column = targetIndex.get(c.target)!;
    return {
      given: givenLabels[row]!,
      target: targetLabels[column]!,
      row,
      column,
      probability: Math.max(c.probability, 1e-12),
      flagged: c.flagged,
      href: marks.link(ranks ?? []),
      description: `${summary.target} ${displayText(c.target, 120)} given ${summary.given} ${displayText(c.given, 120)}: ${formatCount(c.count)} of ${formatCount(c.givenCount)} requests (p=${formatProbability(c.probability)})${c.flagged ? ", flagged" : ""}${linkNote(ranks)}`,
    };
  });
  const minP = Math.min(1, ...rows.map((r) => r.probability));
  return {
    config: CHART_CONFIG,
    data: { values: rows },
    width: { step: 22 },
    height: { step: 16 },
    encoding: {
      x: {
        field: "target",
        type: "nominal",
        // Sorting by a numeric field, not a list of values: a value list would be compiled into an expression.
        sort: { field: "column" },
        title: `${summary.target} (target)`,
        axis: { orient: "top", labelAngle: -50, labelLimit: 160 },
      },
      y: {
        field: "given",
        type: "nominal",
        sort: { field: "row" },
        title: `${summary.given} (given)`,
        axis: { labelLimit: 220 },
      },
    },
    layer: [
      {
        mark: { type: "rect", cursor: "pointer" },
        encoding: {
          color: {
            field: "probability",
            type: "quantitative",
            title: `P(${summary.target} | ${summary.given})`,
            scale: { type: "log", domain: [Math.min(minP, summary.threshold), 1], scheme: "viridis" },
            legend: { orient: "right", format: ".1e", gradientLength: 120 },
          },
          href: { field: "href" },
          description: { field: "description" },
        },
      },
      {
        transform: [{ filter: "datum.flagged" }],
        mark: { type: "rect", fill: null, stroke: COLORS.flagged, strokeWidth: 2.5 },
        encoding: { href: { field: "href" }, description: { field: "description" } },
      },
    ],
  };
}
