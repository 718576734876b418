import {
  createPipeline,
  defineDetector,
  NO_FINDINGS,
  z,
  type DetectorHooks,
  type Finding,
} from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.js";

type Counts = { total: number; values: Map<string, number> };

/**
 * A minimal frequency detector: flags a value whose share of the baseline is under `below`, with
 * surprisal −log2 of its share (add-one smoothed when unseen), so scores can be worked out by hand.
 */
function shareDetector(name: string, field: "status" | "method", below: number) {
  return defineDetector({
    meta: { name, description: "test", apiVersion: 1, options: z.object({}) },
    create(_options, context): DetectorHooks<Counts> {
      return {
        init: () => ({ total: 0, values: new Map() }),
        observe(state, record) {
          const v = String(record[field]);
          state.total++;
          state.values.set(v, (state.values.get(v) ?? 0) + 1);
        },
        merge: (a) => a,
        score(state, record): readonly Finding[] {
          const v = String(record[field]);
          const count = state.values.get(v) ?? 0;
          const p = count === 0 ? 1 / (state.total + 1) : count / state.total;
          if (p >= below) return NO_FINDINGS;
          return [
            {
              detector: context.id,
              kind: "rare",
              fields: [field],
              values: [v],
              probability: p,
              surprisal: -Math.log2(p),
              threshold: { name: "probability", direction: "below", value: below },
              counts: { count, total: state.total },
              message: `${field} ${v}`,
            },
          ];
        },
        toJSON: (state) => state.total,
        fromJSON: () => ({ total: 0, values: new Map() }),
      };
    },
  });
}

const pipeline = createPipeline({
  detectors: [
    { use: "status", definition: shareDetector("status", "status", 0.5) },
    { use: "method", definition: shareDetector("method", "method", 0.5) },
  ],
});

describe("evaluate, hold-out mode", () => {
  // Baseline: 7 × GET 200 → an unseen status or method scores −log2(1/8) = 3 bits.
  const baseline = makeRecords([{ times: 7 }]);
  const records = makeRecords([
    { status: 200 }, //              0 normal, unflagged
    { status: 404 }, //              1 normal, 3 bits (false positive)
    { status: 500 }, //              2 error-status, 3 bits
    { method: "PUT" }, //            3 unusual-method, 3 bits
    { method: "PUT", status: 500 }, // 4 unusual-method, 6 bits
    { status: 200 }, //              5 normal, unflagged
  ]);
  const labels = new Map([
    [2, "error-status"],
    [3, "unusual-method"],
    [4, "unusual-method"],
  ]);

  it("measures the pipeline's ranking against the labels", async () => {
    const result = await evaluate({ pipeline, baseline, records, labels, k: [1, 3] });
    // Ranked: 4 (6 bits), then 1 2 3 tied at 3 bits in input order, then 0 5.
    expect(result.overall).toEqual({
      records: 6,
      positives: 3,
      flagged: 4,
      truePositives: 3,
      precision: 3 / 4,
      recall: 1,
      f1: 6 / 7,
      rPrecision: 2 / 3,
      precisionAtK: [
        { k: 1, precision: 1 },
        { k: 3, precision: 2 / 3 },
      ],
      // 6 beats all three normals (3); each 3-bit anomaly ties the 404 and beats two zeros (2.5 + 2.5).
      rocAuc: 8 / 9,
    });
    expect([result.mode, result.protect, result.baselineRecords, result.records, result.anomalies]).toEqual([
      "hold-out",
      false,
      7,
      6,
      3,
    ]);
  });

  it("scores each kind against the normal records only", async () => {
    const result = await evaluate({ pipeline, baseline, records, labels, k: [] });
    expect(result.byKind.map((m) => [m.kind, m.records, m.flagged, m.precision, m.recall, m.rocAuc])).toEqual(
      [
        ["error-status", 4, 2, 1 / 2, 1, 2.5 / 3],
        ["unusual-method", 5, 3, 2 / 3, 1, 5.5 / 6],
      ],
    );
  });

  it("credits each detector with the anomalies its own findings rank", async () => {
    const result = await evaluate({ pipeline, baseline, records, labels, k: [] });
    const figures = result.byDetector.map((d) => ({
      detector: d.detector,
      alone: [d.alone.flagged, d.alone.precision, d.alone.recall],
      without: [d.without.flagged, d.without.precision, d.without.recall],
      recallByKind: d.byKind.map((m) => [m.kind, m.recall]),
    }));
    expect(figures).toEqual([
      {
        detector: "status",
        alone: [3, 2 / 3, 2 / 3],
        without: [2, 1, 2 / 3],
        recallByKind: [
          ["error-status", 1],
          ["unusual-method", 1 / 2],
        ],
      },
      {
        detector: "method",
        alone: [2, 1, 2 / 3],
        without: [3, 2 / 3, 2 / 3],
        recallByKind: [
          ["error-status", 0],
          ["unusual-method", 1],
        ],
      },
    ]);
  });

  it("lists the normal records that outrank anomalies, with their findings", async () => {
    const result = await evaluate({ pipeline, baseline, records, labels });
    expect(result.topFalsePositives).toEqual([
      {
        source: "test.log",
        line: records[1]!.line,
        score: 3,
        raw: records[1]!.raw,
        findings: ["status 404"],
      },
    ]);
  });
});

describe("evaluate, same-log mode", () => {
  // 20 GETs, one normal HEAD and 4 planted DELETEs, fitted on themselves: DELETE's share is 4/25.
  const records = makeRecords([{ times: 20 }, { method: "HEAD" }, { times: 4, method: "DELETE" }]);
  const labels = new Map([21, 22, 23, 24].map((i) => [i, "unusual-method"]));
  const methodOnly = createPipeline({
    detectors: [{ use: "m", definition: shareDetector("m", "method", 0.2) }],
  });

  it("lets the anomalies in the baseline lower their own score", async () => {
    const result = await evaluate({ pipeline: methodOnly, records, labels, k: [4] });
    expect(result.mode).toBe("same-log");
    expect(result.baselineRecords).toBe(25);
    expect(result.protection).toBeNull();
    // Ranked first is the HEAD (1/25 → 4.64 bits), ahead of the DELETEs (4/25 → 2.64 bits).
    expect(result.overall.precisionAtK).toEqual([{ k: 4, precision: 3 / 4 }]);
  });

  it("with protection, drops the flagged records, reports them and refits without them", async () => {
    const result = await evaluate({ pipeline: methodOnly, records, labels, k: [4], protect: true });
    expect(result.protection).toEqual({ dropped: 5, kept: 20, droppedAnomalies: 4, anomaliesInBaseline: 4 });
    expect(result.baselineRecords).toBe(20);
    // Refitted on the 20 GETs, HEAD and DELETE are both unseen (1/21): a tie, broken by input order.
    expect(result.overall.precisionAtK).toEqual([{ k: 4, precision: 3 / 4 }]);
    expect(result.topFalsePositives).toHaveLength(1);
    expect(result.topFalsePositives[0]!.score).toBeCloseTo(Math.log2(21), 12);
  });
});
