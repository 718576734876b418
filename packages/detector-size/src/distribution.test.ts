import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addValue,
  emptyDistribution,
  mergeDistributions,
  tableOf,
  tableValue,
  type Distribution,
  type DistributionLimits,
} from "./distribution.js";
import { sketchBins } from "./sketch.js";
import { countAtLeast, meanAndStd, quantile, weightedValues } from "./weighted.js";

function fit(values: readonly number[], limits: DistributionLimits): Distribution {
  const d = emptyDistribution();
  for (const v of values) addValue(d, v, limits);
  return d;
}

// mulberry32: a fixed-seed generator so the large sample is the same on every run.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Response-size-like values: log-normal around e^8 ≈ 3 kB, spanning bytes to megabytes. */
function logNormalSample(n: number, seed: number): number[] {
  const next = random(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 1 - next();
    const v = next();
    out.push(Math.round(Math.exp(8 + 2 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v))) + 1);
  }
  return out;
}

describe("exact and sketched storage", () => {
  it("stays exact up to exactLimit distinct values, however many records repeat them", () => {
    const values = Array.from({ length: 5000 }, (_, i) => [42, 348, 1328][i % 3]!);
    const d = fit(values, { exactLimit: 3, relativeAccuracy: 0.01 });
    expect(d.sketch).toBeNull();
    expect(d.exact && [...d.exact].sort((a, b) => a[0] - b[0])).toEqual([
      [42, 1667],
      [348, 1667],
      [1328, 1666],
    ]);
  });

  it("switches to the sketch on the first distinct value past exactLimit, keeping every count", () => {
    const d = fit([1, 2, 3, 4], { exactLimit: 3, relativeAccuracy: 0.01 });
    expect(d.exact).toBeNull();
    const bins = sketchBins(d.sketch!);
    expect(bins.positive.reduce((s, [, n]) => s + n, 0) + bins.zero).toBe(4);
    expect({ count: d.count, min: d.min, max: d.max }).toEqual({ count: 4, min: 1, max: 4 });
  });

  it("keeps zeros and negative values when sketched", () => {
    const d = fit([-50, -5, 0, 0, 7, 70], { exactLimit: 2, relativeAccuracy: 0.01 });
    const table = tableOf(d);
    expect(table.cumulative).toEqual([1, 2, 4, 5, 6]);
    const expected = [-50, -5, 0, 7, 70];
    table.values.forEach((value, i) =>
      expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(0.01 * Math.abs(expected[i]!)),
    );
  });
});

describe("sketch error bound", () => {
  const alpha = 0.001;
  const values = logNormalSample(200_000, 42);
  const sorted = [...values].sort((a, b) => a - b);
  const truth = weightedValues(sorted.map((v) => [v, 1] as const));
  const d = fit(values, { exactLimit: 100, relativeAccuracy: alpha });
  const table = tableOf(d);

  it("keeps every quantile of 200,000 log-normal sizes within the stated relative error", () => {
    expect(d.exact).toBeNull();
    for (const p of [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999]) {
      const exact = quantile(truth, p);
      expect(Math.abs(quantile(table, p) - exact)).toBeLessThanOrEqual(alpha * exact * (1 + 1e-9));
    }
  });

  it("over-counts a tail only by values sharing the probe's bin", () => {
    const gamma = (1 + alpha) / (1 - alpha);
    for (const x of [sorted[150_000]!, sorted[199_000]!, sorted[199_990]!, 10_000_000]) {
      const sketched = countAtLeast(table, tableValue(d, x));
      expect(sketched).toBeGreaterThanOrEqual(countAtLeast(truth, x));
      expect(sketched).toBeLessThanOrEqual(countAtLeast(truth, x / gamma));
    }
  });
});

describe("mergeDistributions", () => {
  it("equals the whole fit for any split, exact or sketched, negative values and zeros included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -100_000, max: 2_000_000 })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.integer({ min: 1, max: 60 }),
        (values, cuts, exactLimit) => {
          const limits = { exactLimit, relativeAccuracy: 0.01 };
          const points = [...new Set(cuts.map((c) => c % (values.length + 1)))].sort((a, b) => a - b);
          const shards: number[][] = [];
          let start = 0;
          for (const point of [...points, values.length]) {
            shards.push(values.slice(start, point));
            start = point;
          }
          const merged = shards.map((s) => fit(s, limits)).reduce((a, b) => mergeDistributions(a, b, limits));
          const whole = fit(values, limits);
          expect(merged.exact === null).toBe(whole.exact === null);
          expect(tableOf(merged)).toEqual(tableOf(whole));
          if (whole.sketch !== null) expect(sketchBins(merged.sketch!)).toEqual(sketchBins(whole.sketch));
          expect({ count: merged.count, min: merged.min, max: merged.max }).toEqual({
            count: whole.count,
            min: whole.min,
            max: whole.max,
          });
          expect(meanAndStd(tableOf(merged))).toEqual(meanAndStd(tableOf(whole)));
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("leaves both inputs unchanged", () => {
    const limits = { exactLimit: 2, relativeAccuracy: 0.01 };
    const a = fit([1, 2], limits);
    const b = fit([3, 4, 5], limits);
    const before = [tableOf(a), tableOf(b), a.count, b.count];
    mergeDistributions(a, b, limits);
    expect([tableOf(a), tableOf(b), a.count, b.count]).toEqual(before);
  });
});
