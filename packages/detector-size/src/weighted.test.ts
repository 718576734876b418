import { describe, expect, it } from "vitest";
import {
  countAtLeast,
  countAtMost,
  medianAbsoluteDeviation,
  orderStatistic,
  quantile,
  weightedValues,
  meanAndStd,
} from "./weighted.js";

const ones = (values: number[]) => values.map((v) => [v, 1] as const);

describe("quantile", () => {
  it("gives pandas' quartiles 2.75, 4.5 and 6.25 for 1..8", () => {
    const w = weightedValues(ones([8, 3, 1, 7, 2, 6, 5, 4]));
    expect([quantile(w, 0.25), quantile(w, 0.5), quantile(w, 0.75)]).toEqual([2.75, 4.5, 6.25]);
  });

  it("reads repeated values from their counts as if they were listed one by one", () => {
    const weighted = weightedValues([
      [10, 3],
      [20, 1],
      [40, 2],
    ]);
    const listed = weightedValues(ones([10, 10, 10, 20, 40, 40]));
    const probes = [0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 1];
    expect(probes.map((p) => quantile(weighted, p))).toEqual(probes.map((p) => quantile(listed, p)));
    // hand-computed: h = 5p; q1 at h = 1.25 → 10, median at h = 2.5 → 10 + 0.5 × 10 = 15, q3 at h = 3.75 → 20 + 0.75 × 20
    expect([quantile(weighted, 0.25), quantile(weighted, 0.5), quantile(weighted, 0.75)]).toEqual([
      10, 15, 35,
    ]);
  });

  it("combines equal values given in separate pairs", () => {
    const w = weightedValues([
      [5, 1],
      [1, 2],
      [5, 2],
    ]);
    expect(w).toEqual({ values: [1, 5], cumulative: [2, 5], total: 5 });
    expect([orderStatistic(w, 0), orderStatistic(w, 1), orderStatistic(w, 2), orderStatistic(w, 4)]).toEqual([
      1, 1, 5, 5,
    ]);
  });

  it("is NaN for an empty table", () => {
    expect(quantile(weightedValues([]), 0.5)).toBeNaN();
  });
});

describe("medianAbsoluteDeviation", () => {
  it("is 1 for 1, 1, 2, 2, 4, 6, 9 (median 2, deviations 0, 0, 1, 1, 2, 4, 7)", () => {
    const w = weightedValues(ones([1, 1, 2, 2, 4, 6, 9]));
    expect(quantile(w, 0.5)).toBe(2);
    expect(medianAbsoluteDeviation(w, 2)).toBe(1);
  });

  it("is 0 when more than half the values equal the median", () => {
    const w = weightedValues([
      [42, 6],
      [50, 2],
      [9000, 1],
    ]);
    expect(medianAbsoluteDeviation(w, 42)).toBe(0);
  });
});

describe("tail counts", () => {
  const w = weightedValues([
    [0, 16],
    [130_921, 3],
    [510_103, 10],
    [513_736, 1],
  ]);

  it("counts values at or above a value, including equal ones", () => {
    expect([
      countAtLeast(w, 513_736),
      countAtLeast(w, 510_103),
      countAtLeast(w, 600_000),
      countAtLeast(w, -1),
    ]).toEqual([1, 11, 0, 30]);
  });

  it("counts values at or below a value, including equal ones", () => {
    expect([countAtMost(w, 0), countAtMost(w, 130_921), countAtMost(w, 200_000), countAtMost(w, -1)]).toEqual(
      [16, 19, 19, 0],
    );
  });
});

describe("meanAndStd", () => {
  it("gives pandas' mean and sample standard deviation of the table", () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, sample variance 32 / 7
    const table = weightedValues([
      [4, 3],
      [9, 1],
      [2, 1],
      [5, 2],
      [7, 1],
    ]);
    const { mean, std } = meanAndStd(table);
    expect(mean).toBe(5);
    expect(std).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it("depends only on the table, not on the order values were counted", () => {
    const values = [0.1, 0.2, 0.3, 1e9, 0.7, 3.3, 0.1];
    const forward = meanAndStd(weightedValues(values.map((v) => [v, 1] as const)));
    const backward = meanAndStd(weightedValues([...values].reverse().map((v) => [v, 1] as const)));
    expect(backward).toEqual(forward);
  });
});
