import type { ConditionalSummary, DistributionSummary, FrequencySummary } from "@oddity/core";
import type { ReportAnomaly, TimelineData } from "./types.js";

/**
 * Hands out the `#m<n>` anchors that chart marks link to, and remembers which table rows each one
 * selects, so the page script can filter the anomaly table to a mark's anomalies.
 */
export interface MarkRegistry {
  /**
   * An anchor for a mark selecting these anomaly ranks; "" when there are none, which Vega draws as no
   * link (null or undefined would be stringified into a link to "null").
   */
  link(ranks: readonly number[]): string;
  /** The anchors that select a given rank, for the row's `data-m` attribute. */
  marksOf(rank: number): readonly string[];
}

export function createMarkRegistry(): MarkRegistry {
  let next = 0;
  const byRank = new Map<number, string[]>();
  return {
    link(ranks) {
      if (ranks.length === 0) return "";
      const id = `m${++next}`;
      for (const rank of new Set(ranks)) {
        const marks = byRank.get(rank);
        if (marks === undefined) byRank.set(rank, [id]);
        else marks.push(id);
      }
      return `#${id}`;
    },
    marksOf(rank) {
      return byRank.get(rank) ?? [];
    },
  };
}

function push<K>(map: Map<K, number[]>, key: K, rank: number): void {
  const ranks = map.get(key);
  if (ranks === undefined) map.set(key, [rank]);
  else if (ranks[ranks.length - 1] !== rank) ranks.push(rank);
}

/** Ranks of the anomalies whose findings flag each value of a frequency chart. */
export function frequencyLinks(
  summary: FrequencySummary,
  anomalies: readonly ReportAnomaly[],
): Map<string, number[]> {
  const links = new Map<string, number[]>();
  for (const a of anomalies) {
    for (const f of a.findings) {
      if (f.detector === summary.detector && f.fields.length === 1 && f.fields[0] === summary.field) {
        push(links, f.values[0] ?? "", a.rank);
      }
    }
  }
  return links;
}

/** Key of a heat map cell; NUL cannot occur in a clipped log value joined this way by accident. */
export function cellKey(given: string, target: string): string {
  return `${given}\u0000${target}`;
}

/** Ranks of the anomalies whose findings flag each (given, target) cell. */
export function conditionalLinks(
  summary: ConditionalSummary,
  anomalies: readonly ReportAnomaly[],
): Map<string, number[]> {
  const links = new Map<string, number[]>();
  for (const a of anomalies) {
    for (const f of a.findings) {
      if (
        f.detector === summary.detector &&
        f.fields.length === 2 &&
        f.fields[0] === summary.given &&
        f.fields[1] === summary.target
      ) {
        push(links, cellKey(f.values[0] ?? "", f.values[1] ?? ""), a.rank);
      }
    }
  }
  return links;
}

/** The fields a distribution summary groups by (`groupBy` may list several, comma-separated). */
export function groupFields(summary: DistributionSummary): string[] {
  return summary.groupBy === null ? [] : summary.groupBy.split(",");
}

/** An outlier point on a distribution chart. */
export interface OutlierPoint {
  group: string;
  value: number;
  rank: number;
}

/**
 * Where an anomaly sits on a distribution chart. A finding of the chart's detector whose first field is
 * the chart's field carries the measured value, then the group's values (`fields: ["size",
 * "path_template"]`, `values: ["130921", "/api/v1/sales"]`). An ungrouped chart shows every such value
 * (its box is the distribution of all of them); a grouped chart shows it in its group when the chart
 * draws that group. Without such a finding the record's own values place it. Null when the anomaly is
 * not on this chart.
 */
export function placeOnDistribution(
  summary: DistributionSummary,
  anomaly: ReportAnomaly,
): OutlierPoint | null {
  const wanted = groupFields(summary);
  const known = (group: string) => summary.groups.some((g) => g.group === group);
  const single = summary.groupBy === null && summary.groups.length === 1 ? summary.groups[0]!.group : null;
  const findings = anomaly.findings.filter((f) => f.detector === summary.detector);
  if (findings.length === 0) return null;
  const own = findings.filter((f) => f.fields[0] === summary.field);
  for (const f of own) {
    const value = Number(f.values[0]);
    if (!Number.isFinite(value)) continue;
    if (summary.groupBy === null)
      return single === null ? null : { group: single, value, rank: anomaly.rank };
    if (f.fields.slice(1).join(",") !== wanted.join(",")) continue;
    const group = f.values.slice(1).join(" ");
    return known(group) ? { group, value, rank: anomaly.rank } : null;
  }
  if (own.length > 0) return null;
  const value = anomaly.fields[summary.field];
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (summary.groupBy === null) return single === null ? null : { group: single, value, rank: anomaly.rank };
  const parts = wanted.map((name) => anomaly.fields[name]);
  if (parts.some((p) => p === undefined || p === null)) return null;
  const group = parts.map(String).join(" ");
  return known(group) ? { group, value, rank: anomaly.rank } : null;
}

/** The flagged values of the listed anomalies to draw on a distribution chart. */
export function distributionPoints(
  summary: DistributionSummary,
  anomalies: readonly ReportAnomaly[],
): OutlierPoint[] {
  const points: OutlierPoint[] = [];
  for (const a of anomalies) {
    const point = placeOnDistribution(summary, a);
    if (point !== null) points.push(point);
  }
  return points;
}

/** Ranks of the listed anomalies per timeline bucket start. */
export function timelineLinks(
  timeline: TimelineData,
  anomalies: readonly ReportAnomaly[],
): Map<number, number[]> {
  const links = new Map<number, number[]>();
  for (const a of anomalies) {
    if (a.time === null) continue;
    push(links, Math.floor(a.time / timeline.bucketMs) * timeline.bucketMs, a.rank);
  }
  return links;
}
