import type { Config } from "vega-lite";
import { displayText } from "../escape.js";

/** Colours shared by every chart and the page's CSS legend. */
export const COLORS = {
  normal: "#4c78a8",
  flagged: "#d62728",
  muted: "#b8b8b8",
  ink: "#222222",
} as const;

/** Chart width in px; the page is laid out for it. */
export const CHART_WIDTH = 900;

/** Vega-Lite config every chart uses: white background, no frame, readable axes. */
export const CHART_CONFIG: Config = {
  background: "white",
  font: "sans-serif",
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: "normal",
    titleColor: "#444",
    labelColor: "#333",
  },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal", orient: "bottom" },
};

/** Characters of a value shown on an axis; the full value is in the mark's tooltip and the table. */
export const LABEL_LENGTH = 60;

/** Shortens from the middle: the ends of a value (a client name, a version) tell values apart best. */
export function middleCut(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${chars.slice(0, head).join("")}…${chars.slice(chars.length - tail).join("")}`;
}

/**
 * Axis labels for categorical values: made visible (control characters escaped), shortened, and made
 * unique, because two values that shorten alike would otherwise share one band.
 */
export function uniqueLabels(values: readonly string[], max = LABEL_LENGTH): string[] {
  const seen = new Map<string, number>();
  return values.map((value) => {
    const label = middleCut(displayText(value), max) || "(empty)";
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return n === 1 ? label : `${label} (${n})`;
  });
}

/** True when positive values span at least two orders of magnitude: then a log scale reads better. */
export function spansOrders(values: readonly number[]): boolean {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const v of values) {
    if (v > 0 && v < min) min = v;
    if (v > max) max = v;
  }
  return max > 0 && max / min >= 100;
}
