import { describe, expect, it } from "vitest";
import { defineDetector, type DetectorHooks } from "./detector.js";
import { NO_FINDINGS } from "./finding.js";
import { createPipeline } from "./pipeline.js";
import { fitProtected } from "./protect.js";
import { createScorer } from "./score.js";
import { makeRecords } from "./testing.js";
import { z } from "zod";

// Flags statuses whose share of the baseline is under 10%.
const statusShare = defineDetector({
  meta: { name: "share", description: "test", apiVersion: 1, options: z.object({}) },
  create(_options, context): DetectorHooks<{ total: number; counts: Map<number, number> }> {
    return {
      init: () => ({ total: 0, counts: new Map() }),
      observe(state, record) {
        state.total++;
        state.counts.set(record.status!, (state.counts.get(record.status!) ?? 0) + 1);
      },
      merge: (a) => a,
      score(state, record) {
        const p = (state.counts.get(record.status!) ?? 0) / state.total;
        if (p >= 0.1) return NO_FINDINGS;
        return [
          {
            detector: context.id,
            kind: "rare",
            fields: ["status"],
            values: [String(record.status)],
            probability: p,
            surprisal: p === 0 ? 64 : -Math.log2(p),
            threshold: { name: "probability", direction: "below", value: 0.1 },
            counts: { total: state.total },
            message: "",
          },
        ];
      },
      toJSON: (state) => state.total,
      fromJSON: () => ({ total: 0, counts: new Map() }),
    };
  },
});

describe("fitProtected", () => {
  it("drops flagged records from the baseline and refits without them", async () => {
    const records = makeRecords([
      { times: 95, status: 200 },
      { times: 5, status: 500 },
    ]);
    const batches = [{ records, rejections: [], blank: 0, read: records.length }];
    const pipeline = createPipeline({ detectors: [{ use: "share", definition: statusShare }] });
    const { model, stats, protection } = await fitProtected({ pipeline, read: () => batches, sample: 3 });
    expect(stats.parsed).toBe(100);
    expect(protection.dropped).toBe(5);
    expect(protection.kept).toBe(95);
    expect(protection.top).toHaveLength(3);
    expect(model.meta.records).toBe(95);
    // Refitted without the 500s, a 500 is now unseen rather than merely rare.
    expect(createScorer(model)(records[99]!)!.findings[0]!.probability).toBe(0);
  });
});
