import { formatCount } from "@oddity/core";
import type { TopLevelSpec } from "vega-lite";
import type { MarkRegistry } from "../links.js";
import type { TimelineData } from "../types.js";
import { linkNote } from "./frequency.js";
import { CHART_CONFIG, CHART_WIDTH, COLORS } from "./theme.js";

const UNITS: Array<[number, string]> = [
  [7 * 24 * 3_600_000, "week"],
  [24 * 3_600_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1000, "second"],
];

/** `300000` → `5 minutes`: the bucket width as a person says it. */
export function describeBucket(ms: number): string {
  for (const [size, name] of UNITS) {
    if (ms % size === 0) {
      const n = ms / size;
      return n === 1 ? name : `${formatCount(n)} ${name}s`;
    }
  }
  return `${formatCount(ms)} ms`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/**
 * Requests per bucket with the flagged ones overlaid in red (top), and flagged requests per bucket on
 * their own scale (bottom), on one UTC time axis. A flagged bar links to the listed anomalies in its
 * bucket. `complete` false means only the listed
 * anomalies are known (a report from saved results), so only the flagged panel is drawn.
 */
export function timelineSpec({
  timeline,
  links,
  marks,
  complete,
}: {
  timeline: TimelineData;
  links: ReadonlyMap<number, readonly number[]>;
  marks: MarkRegistry;
  complete: boolean;
}): TopLevelSpec {
  const bucket = describeBucket(timeline.bucketMs);
  const rows = timeline.buckets.map((b) => {
    const ranks = links.get(b.start);
    return {
      start: b.start,
      end: b.start + timeline.bucketMs,
      requests: b.requests,
      flagged: b.flagged,
      href: marks.link(ranks ?? []),
      description: `${iso(b.start)} (${bucket}): ${formatCount(b.requests)} requests, ${formatCount(b.flagged)} flagged${linkNote(ranks)}`,
    };
  });
  const domain = [rows[0]?.start ?? 0, rows[rows.length - 1]?.end ?? 1];
  const x = {
    field: "start",
    type: "temporal" as const,
    scale: { type: "utc" as const, domain },
    title: "time (UTC)",
    axis: { format: "%b %d %H:%M", labelOverlap: true },
  };
  // Flagged requests are drawn over the requests on the same scale (their share of the traffic), and
  // again on their own scale below, where a handful per bucket is still visible.
  const requests = {
    height: 140,
    width: CHART_WIDTH,
    encoding: { x, x2: { field: "end" }, y2: { datum: 0 }, description: { field: "description" } },
    layer: [
      {
        mark: { type: "bar" as const, color: COLORS.normal },
        encoding: {
          y: { field: "requests", type: "quantitative" as const, title: `requests per ${bucket}` },
        },
      },
      {
        transform: [{ filter: "datum.flagged > 0" }],
        mark: { type: "bar" as const, color: COLORS.flagged, cursor: "pointer" as const },
        encoding: { y: { field: "flagged", type: "quantitative" as const }, href: { field: "href" } },
      },
    ],
  };
  const flagged = {
    height: complete ? 80 : 120,
    width: CHART_WIDTH,
    transform: [{ filter: "datum.flagged > 0" }],
    mark: { type: "bar" as const, color: COLORS.flagged, cursor: "pointer" as const, minBandSize: 2 },
    encoding: {
      x,
      x2: { field: "end" },
      y: { field: "flagged", type: "quantitative" as const, title: `flagged per ${bucket}` },
      y2: { datum: 0 },
      href: { field: "href" },
      description: { field: "description" },
    },
  };
  return {
    config: CHART_CONFIG,
    data: { values: rows },
    vconcat: complete ? [requests, flagged] : [flagged],
    spacing: 6,
  };
}
