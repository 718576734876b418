import type { ConditionalSummary, DistributionSummary, FrequencySummary } from "@oddity/core";
import { describe, expect, test } from "vitest";
import { limitConditional, limitDistribution, limitFrequency, MAX_VALUE_LENGTH } from "./limit.js";

function frequencies(n: number): FrequencySummary {
  // Value i is seen n - i times, so v0 is the most frequent and the last ones are the rarest.
  const values = Array.from({ length: n }, (_, i) => ({
    value: `v${i}`,
    count: n - i,
    probability: (n - i) / 1000,
    flagged: i >= n - 3,
  }));
  return {
    kind: "frequencies",
    detector: "rarity",
    field: "path",
    total: 1000,
    distinct: n,
    values,
    threshold: 0.003,
  };
}

function group(name: string, count: number): DistributionSummary["groups"][number] {
  return { group: name, count, min: 1, q1: 2, median: 3, q3: 4, max: 5, lowerFence: null, upperFence: 5.5 };
}

describe("limitFrequency", () => {
  test("keeps the 15 most frequent values and the 25 rarest of 1,000 and says how many it left out", () => {
    const { summary, omitted } = limitFrequency(frequencies(1000));
    expect(summary.values.map((v) => v.value)).toEqual([
      ...Array.from({ length: 15 }, (_, i) => `v${i}`),
      ...Array.from({ length: 25 }, (_, i) => `v${975 + i}`),
    ]);
    expect(omitted).toEqual({ what: "values", count: 960 });
  });

  test("keeps a short table whole, most frequent first", () => {
    const input = frequencies(5);
    const { summary, omitted } = limitFrequency({ ...input, values: [...input.values].reverse() });
    expect(summary.values).toEqual(input.values);
    expect(omitted).toBeNull();
  });

  test("counts values the detector itself left out of its summary as omitted", () => {
    const { omitted } = limitFrequency({ ...frequencies(10), distinct: 5000 });
    expect(omitted).toEqual({ what: "values", count: 4990 });
  });

  test("shortens a megabyte-long value to a bounded length", () => {
    const huge = "A".repeat(1_000_000);
    const { summary } = limitFrequency({
      ...frequencies(1),
      values: [{ value: huge, count: 1, probability: 0.001, flagged: true }],
    });
    expect(summary.values[0]!.value).toBe(`${"A".repeat(MAX_VALUE_LENGTH)}…`);
  });
});

describe("limitConditional", () => {
  test("keeps the given values holding flagged cells before more frequent ones", () => {
    const cells: ConditionalSummary["cells"] = [];
    for (let g = 0; g < 40; g++) {
      cells.push({
        given: `ip${g}`,
        target: "200",
        count: 100 - g,
        givenCount: 100 - g,
        probability: 1,
        flagged: false,
      });
    }
    cells.push({
      given: "ip39",
      target: "500",
      count: 1,
      givenCount: 61,
      probability: 1 / 61,
      flagged: true,
    });
    const summary: ConditionalSummary = {
      kind: "conditional",
      detector: "conditional",
      given: "ip",
      target: "status",
      cells,
      threshold: 0.02,
      minSupport: 20,
    };
    const limited = limitConditional(summary);
    const givens = [...new Set(limited.summary.cells.map((c) => c.given))].sort();
    expect(givens).toEqual(["ip39", ...Array.from({ length: 29 }, (_, i) => `ip${i}`)].sort());
    expect(limited.summary.cells.filter((c) => c.flagged)).toEqual([cells[40]]);
    expect(limited.omitted).toEqual({ what: "cells", count: 10 });
  });
});

describe("limitDistribution", () => {
  test("keeps groups holding listed outliers even when they are small, then the largest", () => {
    const groups = Array.from({ length: 40 }, (_, i) => group(`/p${i}`, 1000 - i));
    const { summary, omitted } = limitDistribution(
      { kind: "distribution", detector: "size", field: "size", groupBy: "path_template", groups },
      new Set(["/p39"]),
    );
    expect(summary.groups.map((g) => g.group)).toEqual([
      ...Array.from({ length: 29 }, (_, i) => `/p${i}`),
      "/p39",
    ]);
    expect(omitted).toEqual({ what: "groups", count: 10 });
  });
});
