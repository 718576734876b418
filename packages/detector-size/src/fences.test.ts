import { describe, expect, it } from "vitest";
import { addValue, emptyDistribution, type Distribution } from "./distribution.js";
import { fencesFor, profileOf } from "./fences.js";

const limits = { exactLimit: 1000, relativeAccuracy: 0.001 };

function distributionOf(values: number[]): Distribution {
  const d = emptyDistribution();
  for (const v of values) addValue(d, v, limits);
  return d;
}

const base = {
  cutoff: 1.5,
  side: "both",
  minRelativeDeviation: 0,
  minRatio: 1,
  relativeAccuracy: 0.001,
} as const;

describe("profileOf", () => {
  // 1..8 then 100: q1 3, median 5, q3 7 (type 7, h = 8p), IQR 4; deviations from 5 sorted are
  // 0 1 1 2 2 3 3 4 95, so MAD 2; mean 136/9; fences 3 − 6 = −3 and 7 + 6 = 13.
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 100];

  it("computes Tukey fences from hand-checked quartiles", () => {
    const p = profileOf(distributionOf(values), { ...base, method: "iqr" });
    expect({
      q1: p.q1,
      median: p.median,
      q3: p.q3,
      iqr: p.iqr,
      mad: p.mad,
      lower: p.lowerFence,
      upper: p.upperFence,
    }).toEqual({ q1: 3, median: 5, q3: 7, iqr: 4, mad: 2, lower: -3, upper: 13 });
    expect({ count: p.count, min: p.min, max: p.max, relativeError: p.relativeError }).toEqual({
      count: 9,
      min: 1,
      max: 100,
      relativeError: 0,
    });
  });

  it("puts robust-z fences at median ± 3.5 × MAD / 0.6745", () => {
    const p = profileOf(distributionOf(values), { ...base, method: "mad", cutoff: 3.5 });
    expect(p.lowerFence).toBeCloseTo(5 - (3.5 * 2) / 0.6745, 12);
    expect(p.upperFence).toBeCloseTo(5 + (3.5 * 2) / 0.6745, 12);
  });

  it("puts z-score fences at mean ± 3 sample standard deviations", () => {
    const mean = 136 / 9;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / 8);
    const p = profileOf(distributionOf(values), { ...base, method: "zscore", cutoff: 3 });
    expect(p.mean).toBeCloseTo(mean, 12);
    expect(p.std).toBeCloseTo(std, 12);
    expect(p.upperFence).toBeCloseTo(mean + 3 * std, 10);
  });
});

describe("fencesFor", () => {
  const constant = { q1: 42, median: 42, q3: 42, iqr: 0, mad: 0, mean: 42, std: 0 };

  it("collapses both fences onto the value when a group never varies and no minimum deviation is set", () => {
    expect(
      fencesFor(constant, { method: "iqr", cutoff: 1.5, side: "both", minRelativeDeviation: 0, minRatio: 1 }),
    ).toEqual({
      lowerFence: 42,
      upperFence: 42,
    });
  });

  it("keeps fences at least minRelativeDeviation × median away from the median", () => {
    expect(
      fencesFor(constant, {
        method: "mad",
        cutoff: 3.5,
        side: "both",
        minRelativeDeviation: 0.1,
        minRatio: 1,
      }),
    ).toEqual({
      lowerFence: 42 - 4.2,
      upperFence: 42 + 4.2,
    });
  });

  it("leaves wide fences alone when they are already past the minimum deviation", () => {
    const wide = { q1: 100, median: 150, q3: 200, iqr: 100, mad: 50, mean: 150, std: 60 };
    expect(
      fencesFor(wide, { method: "iqr", cutoff: 1.5, side: "both", minRelativeDeviation: 0.1, minRatio: 1 }),
    ).toEqual({
      lowerFence: -50,
      upperFence: 350,
    });
  });

  it("tests only the requested side", () => {
    const stats = { q1: 10, median: 15, q3: 20, iqr: 10, mad: 5, mean: 15, std: 5 };
    expect(
      fencesFor(stats, { method: "iqr", cutoff: 3, side: "upper", minRelativeDeviation: 0, minRatio: 1 }),
    ).toEqual({
      lowerFence: null,
      upperFence: 50,
    });
    expect(
      fencesFor(stats, { method: "iqr", cutoff: 3, side: "lower", minRelativeDeviation: 0, minRatio: 1 }),
    ).toEqual({
      lowerFence: -20,
      upperFence: null,
    });
  });
});
