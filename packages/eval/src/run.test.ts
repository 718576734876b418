import { createPipeline, defineDetector, NO_FINDINGS, z, type DetectorHooks } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { generateRecords } from "./generate.js";
import { runEvaluation } from "./run.js";

// Flags any user agent other than the two python-requests versions: enough to exercise the runner.
const agents = defineDetector({
  meta: { name: "agents", description: "test", apiVersion: 1, options: z.object({}) },
  create(_options, context): DetectorHooks<null> {
    return {
      init: () => null,
      observe() {},
      merge: () => null,
      score(_state, record) {
        if (record.user_agent?.startsWith("python-requests/")) return NO_FINDINGS;
        return [
          {
            detector: context.id,
            kind: "rare",
            fields: ["user_agent"],
            values: [record.user_agent ?? ""],
            probability: 0.001,
            surprisal: 10,
            threshold: { name: "probability", direction: "below", value: 0.01 },
            counts: {},
            message: `user_agent ${JSON.stringify(record.user_agent)}`,
          },
        ];
      },
      toJSON: () => null,
      fromJSON: () => null,
    };
  },
});
const pipeline = createPipeline({ detectors: [{ use: "agents", definition: agents }] });

describe("runEvaluation", () => {
  it("runs every scenario on generated traffic and describes what it measured", async () => {
    const { report } = await runEvaluation({ pipeline, lines: 2_000, seed: 4, rate: 0.02 });
    expect(report.input).toEqual({
      kind: "generated",
      name: "generated traffic (2,000 lines)",
      records: 2_000,
      seed: 4,
      rate: 0.02,
      kinds: [
        "rare-user-agent",
        "scanner-path",
        "unusual-method",
        "unusual-protocol",
        "size-outlier",
        "error-status",
        "foreign-user-agent",
        "new-client-ip",
      ],
      skipped: [],
      baselineShare: 0.5,
    });
    expect(
      report.scenarios.map((s) => [s.scenario, s.result.mode, s.result.protect, s.result.anomalies]),
    ).toEqual([
      ["hold-out", "hold-out", false, 20],
      ["same-log", "same-log", false, 40],
      ["protected", "same-log", true, 40],
    ]);
    // The detector sees only user agents: all planted tool agents, none of the other kinds but the
    // foreign agent (another python-requests version, so not that one either).
    const holdOut = report.scenarios[0]!.result;
    expect(holdOut.byKind.map((k) => [k.kind, k.recall])).toEqual([
      ["error-status", 0],
      ["foreign-user-agent", 0],
      ["new-client-ip", 0],
      ["rare-user-agent", 1],
      ["scanner-path", 0],
      ["size-outlier", 0],
      ["unusual-method", 0],
      ["unusual-protocol", 0],
    ]);
  });

  it("fits hold-out on the start of a real log and plants anomalies only after it", async () => {
    const records = generateRecords({ seed: 2, lines: 1_000, source: "access.log" });
    const { report } = await runEvaluation({
      pipeline,
      records,
      inputName: "access.log",
      scenarios: ["hold-out"],
      baselineShare: 0.75,
      rate: 0.04,
      kinds: ["rare-user-agent"],
    });
    const result = report.scenarios[0]!.result;
    expect([
      report.input.kind,
      report.input.name,
      result.baselineRecords,
      result.records,
      result.anomalies,
    ]).toEqual(["log", "access.log", 750, 260, 10]);
  });

  it("prints a header, one block per scenario and the per-kind recall table", async () => {
    const { text } = await runEvaluation({ pipeline, lines: 1_000, seed: 1, scenarios: ["same-log"] });
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "oddity eval: generated traffic (1,000 lines), 1,000 records, seed 1, anomaly rate 0.01, detectors agents (scores combined by sum-max)",
    );
    expect(lines).toContain(
      "same-log: fit on the scored log itself (1,010 records), scored 1,010 records with 10 labelled anomalies",
    );
    expect(text).toContain("  recall by kind and detector");
    expect(text).not.toContain("hold-out:");
  });

  it("refuses a baseline share outside (0, 1) and logs too small to split", async () => {
    await expect(runEvaluation({ pipeline, baselineShare: 1 })).rejects.toThrow(
      "the baseline share must be a number in (0, 1), received 1",
    );
    await expect(
      runEvaluation({ pipeline, records: generateRecords({ seed: 1, lines: 1 }) }),
    ).rejects.toThrow("an evaluation needs at least 2 records, received 1");
  });
});
