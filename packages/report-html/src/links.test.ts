import type { DistributionSummary, Finding, FrequencySummary } from "@oddity/core";
import { describe, expect, test } from "vitest";
import { createMarkRegistry, distributionPoints, frequencyLinks, timelineLinks } from "./links.js";
import type { ReportAnomaly } from "./types.js";

function finding(fields: string[], values: string[], detector = "size"): Finding {
  return {
    detector,
    kind: "size",
    fields,
    values,
    probability: 0.01,
    surprisal: 6.6,
    threshold: { name: "upper_fence", direction: "above", value: 10 },
    counts: {},
    message: "m",
  };
}

function anomaly(
  rank: number,
  findings: Finding[],
  fields: ReportAnomaly["fields"] = {},
  time: number | null = null,
): ReportAnomaly {
  return { rank, source: "a.log", line: rank, raw: "", rawCut: 0, score: 1, time, fields, findings };
}

const box = (group: string): DistributionSummary["groups"][number] => ({
  group,
  count: 100,
  min: 1,
  q1: 2,
  median: 3,
  q3: 4,
  max: 5,
  lowerFence: 0.5,
  upperFence: 5.5,
});

describe("distributionPoints", () => {
  const grouped: DistributionSummary = {
    kind: "distribution",
    detector: "size",
    field: "size",
    groupBy: "method,path_template",
    groups: [box("GET /api/v1/sales"), box("GET /")],
  };
  const global: DistributionSummary = { ...grouped, groupBy: null, groups: [box("all")] };

  test("places a finding in its group by the group values that follow the measured value, and on the chart of all", () => {
    const a = anomaly(3, [finding(["size", "method", "path_template"], ["2056327", "GET", "/api/v1/sales"])]);
    expect(distributionPoints(grouped, [a])).toEqual([
      { group: "GET /api/v1/sales", value: 2056327, rank: 3 },
    ]);
    expect(distributionPoints(global, [a])).toEqual([{ group: "all", value: 2056327, rank: 3 }]);
  });

  test("places a finding in a group the grouped chart does not draw on the chart of all only", () => {
    const a = anomaly(1, [
      finding(["size", "method", "path_template"], ["1153005", "GET", "/api/v1/items/"]),
    ]);
    expect(distributionPoints(global, [a])).toEqual([{ group: "all", value: 1153005, rank: 1 }]);
    expect(distributionPoints(grouped, [a])).toEqual([]);
  });

  test("places a finding measured against the global distribution on the ungrouped chart only", () => {
    const a = anomaly(1, [finding(["size"], ["86377168"])]);
    expect(distributionPoints(global, [a])).toEqual([{ group: "all", value: 86377168, rank: 1 }]);
    expect(distributionPoints(grouped, [a])).toEqual([]);
  });

  test("falls back to the record's own values for a detector that reports other fields", () => {
    const a = anomaly(2, [finding(["latency"], ["high"])], { size: 9, method: "GET", path_template: "/" });
    expect(distributionPoints(grouped, [a])).toEqual([{ group: "GET /", value: 9, rank: 2 }]);
  });

  test("ignores anomalies without a finding of the chart's detector", () => {
    const a = anomaly(4, [finding(["size", "method", "path_template"], ["5", "GET", "/"], "rarity")]);
    expect(distributionPoints(grouped, [a])).toEqual([]);
  });
});

describe("frequencyLinks", () => {
  test("links a value to every anomaly whose finding of that detector and field names it", () => {
    const summary: FrequencySummary = {
      kind: "frequencies",
      detector: "rarity",
      field: "user_agent",
      total: 10,
      distinct: 2,
      values: [],
      threshold: 0.1,
    };
    const anomalies = [
      anomaly(1, [finding(["user_agent"], ["curl/8"], "rarity")]),
      anomaly(2, [finding(["ip"], ["curl/8"], "rarity"), finding(["user_agent"], ["curl/8"], "other")]),
      anomaly(3, [finding(["user_agent"], ["curl/8"], "rarity"), finding(["user_agent"], ["x"], "rarity")]),
    ];
    expect([...frequencyLinks(summary, anomalies)]).toEqual([
      ["curl/8", [1, 3]],
      ["x", [3]],
    ]);
  });
});

describe("timelineLinks", () => {
  test("groups listed anomalies by the bucket their time falls in", () => {
    const timeline = {
      bucketMs: 60_000,
      buckets: [],
      untimed: { requests: 0, flagged: 0 },
      from: 0,
      to: 0,
      complete: true,
    };
    const anomalies = [
      anomaly(1, [], {}, 125_000),
      anomaly(2, [], {}, 61_000),
      anomaly(3, [], {}, 179_999),
      anomaly(4, []),
    ];
    expect([...timelineLinks(timeline, anomalies)]).toEqual([
      [120_000, [1, 3]],
      [60_000, [2]],
    ]);
  });
});

describe("createMarkRegistry", () => {
  test("numbers marks in order, remembers the marks of each row, and links nothing for no anomalies", () => {
    const marks = createMarkRegistry();
    expect([marks.link([2, 5]), marks.link([]), marks.link([5])]).toEqual(["#m1", "", "#m2"]);
    expect([marks.marksOf(5), marks.marksOf(2), marks.marksOf(9)]).toEqual([["m1", "m2"], ["m1"], []]);
  });
});
