import { createPipeline, defineDetector, NO_FINDINGS, z, type DetectorHooks } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.js";
import { formatEvaluation } from "./format.js";

// Flags every method but GET with 5 bits, echoing the user agent in its message.
const methods = defineDetector({
  meta: { name: "methods", description: "test", apiVersion: 1, options: z.object({}) },
  create(_options, context): DetectorHooks<null> {
    return {
      init: () => null,
      observe() {},
      merge: () => null,
      score: (_state, record) =>
        record.method === "GET"
          ? NO_FINDINGS
          : [
              {
                detector: context.id,
                kind: "rare",
                fields: ["method"],
                values: [record.method ?? ""],
                probability: 1 / 32,
                surprisal: 5,
                threshold: { name: "probability", direction: "below", value: 0.1 },
                counts: {},
                message: `method ${record.method ?? ""} from ${record.user_agent ?? ""}`,
              },
            ],
      toJSON: () => null,
      fromJSON: () => null,
    };
  },
});

describe("formatEvaluation", () => {
  it("reports what protection dropped and lists false positives with log text escaped", async () => {
    const records = makeRecords([
      { times: 6 },
      { method: "HEAD", user_agent: "evil\u001b[2J" },
      { method: "DELETE" },
      { method: "DELETE" },
    ]);
    const labels = new Map([
      [7, "unusual-method"],
      [8, "unusual-method"],
    ]);
    const pipeline = createPipeline({ detectors: [{ use: "methods", definition: methods }] });
    const text = formatEvaluation(await evaluate({ pipeline, records, labels, k: [2], protect: true }));
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "same-log + protection: fit on the scored log itself (6 records), scored 9 records with 2 labelled anomalies",
    );
    expect(lines).toContain(
      "  protection dropped 3 of 9 baseline records, 2 of them among the 2 labelled anomalies",
    );
    expect(lines).toContain(
      "  1. 5.0 bits  test.log:" +
        String(records[6]!.line) +
        "  " +
        records[6]!.raw.replace("\u001b", "\\u{1b}"),
    );
    expect(lines).toContain("       method HEAD from evil\\u{1b}[2J");
    expect(text).not.toContain("\u001b");
  });
});
