import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeMetrics, rankIndexes, rocAuc } from "./metrics.js";

// Six records worked by hand:
//   index     0     1     2     3     4     5
//   score     5     3     3     0     1     3
//   anomaly   yes   no    yes   no    no    yes
//   flagged   yes   yes   yes   no    yes   yes
const scores = [5, 3, 3, 0, 1, 3];
const positive = [true, false, true, false, false, true];
const flagged = [true, true, true, false, true, true];

describe("computeMetrics", () => {
  it("computes precision, recall, precision@k and AUC of a hand-worked table", () => {
    // Ranked (ties in input order): 0 1 2 5 4 3 → labels + - + + - -.
    // AUC pairs: 5 beats all 3 normals (3); each positive 3 beats 0 and 1 and ties a 3 (2.5 + 2.5): 8/9.
    expect(computeMetrics({ scores, flagged, positive, k: [1, 2, 3, 4, 10] })).toEqual({
      records: 6,
      positives: 3,
      flagged: 5,
      truePositives: 3,
      precision: 3 / 5,
      recall: 1,
      f1: 0.75,
      // Top 3 (= positives) hold 2 anomalies.
      rPrecision: 2 / 3,
      precisionAtK: [
        { k: 1, precision: 1 },
        { k: 2, precision: 1 / 2 },
        { k: 3, precision: 2 / 3 },
        { k: 4, precision: 3 / 4 },
        { k: 10, precision: 3 / 6 },
      ],
      rocAuc: 8 / 9,
    });
  });

  it("evaluates only the included records, as per-kind figures do", () => {
    // Keep records 1, 2 and 3: scores 3 3 0, labels - + -. Ranked 1 2 3.
    const include = [false, true, true, true, false, false];
    expect(computeMetrics({ scores, flagged, positive, include, k: [1, 2] })).toEqual({
      records: 3,
      positives: 1,
      flagged: 2,
      truePositives: 1,
      precision: 1 / 2,
      recall: 1,
      f1: 2 / 3,
      rPrecision: 0,
      precisionAtK: [
        { k: 1, precision: 0 },
        { k: 2, precision: 1 / 2 },
      ],
      // The positive ties one normal (0.5) and beats the other (1): 1.5 of 2 pairs.
      rocAuc: 0.75,
    });
  });

  it("reports undefined ratios as null instead of dividing by zero", () => {
    expect(
      computeMetrics({ scores: [0, 0], flagged: [false, false], positive: [false, false], k: [1] }),
    ).toEqual({
      records: 2,
      positives: 0,
      flagged: 0,
      truePositives: 0,
      precision: null,
      recall: null,
      f1: null,
      rPrecision: null,
      precisionAtK: [{ k: 1, precision: 0 }],
      rocAuc: null,
    });
  });

  it("gives F1 0 when records are flagged but none is an anomaly", () => {
    const m = computeMetrics({ scores: [2, 0], flagged: [true, false], positive: [false, true], k: [] });
    expect([m.precision, m.recall, m.f1, m.rocAuc]).toEqual([0, 0, 0, 0]);
  });
});

describe("rankIndexes", () => {
  it("breaks score ties by input order, whatever order the indexes come in", () => {
    expect(rankIndexes([1, 4, 4, 2, 4], [4, 3, 2, 1, 0])).toEqual([1, 2, 4, 3, 0]);
  });
});

describe("rocAuc", () => {
  it("counts a tie between an anomaly and a normal record as one half", () => {
    expect(rocAuc({ scores: [7, 7], positive: [true, false], indexes: [0, 1] })).toBe(0.5);
  });

  it("equals the pairwise definition on arbitrary scores with ties", () => {
    const table = fc.array(fc.record({ score: fc.integer({ min: 0, max: 5 }), positive: fc.boolean() }), {
      minLength: 2,
      maxLength: 40,
    });
    fc.assert(
      fc.property(table, (rows) => {
        const pos = rows.filter((r) => r.positive);
        const neg = rows.filter((r) => !r.positive);
        let wins = 0;
        for (const p of pos)
          for (const n of neg) wins += p.score > n.score ? 1 : p.score === n.score ? 0.5 : 0;
        const expected = pos.length === 0 || neg.length === 0 ? null : wins / (pos.length * neg.length);
        const actual = rocAuc({
          scores: rows.map((r) => r.score),
          positive: rows.map((r) => r.positive),
          indexes: rows.map((_, i) => i),
        });
        if (expected === null) expect(actual).toBeNull();
        else expect(actual).toBeCloseTo(expected, 12);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
