import type { ScoredRecord } from "@oddity/core";
import { makeRecord } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { anomalyToJSON } from "./anomalies.js";
import { createPalette } from "./color.js";
import { jsonText } from "./json.js";
import { writeRanked, type RunSummaryJSON } from "./results.js";
import type { Sink } from "./sink.js";

function collect(): { sink: Sink; text: () => string } {
  let text = "";
  const sink: Sink = {
    isTTY: false,
    columns: 100,
    write: (chunk) => {
      text += chunk;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
    abort: () => Promise.resolve(),
  };
  return { sink, text: () => text };
}

const summary: RunSummaryJSON = {
  inputs: ["a.log"],
  format: "combined",
  read: 4,
  parsed: 4,
  rejected: 0,
  blank: 0,
  bytes: 900,
  layouts: { combined: 4 },
  rejectedBy: {},
  unscored: 0,
  flagged: 4,
  shown: 4,
  minScore: 0,
  combine: "sum-max",
  detectors: [{ id: "rarity", use: "rarity", name: "rarity", options: { fields: ["user_agent"] } }],
  baseline: { inputs: null, records: 4, from: null, to: null, sources: ["a.log"] },
  warnings: ["a warning with a line separator\u2028inside"],
};

function anomaly(userAgent: string, line: number): ScoredRecord {
  const record = makeRecord({ source: "a.log", line, user_agent: userAgent });
  return {
    record,
    score: 12.5,
    findings: [
      {
        detector: "rarity",
        kind: "rare",
        fields: ["user_agent"],
        values: [userAgent],
        probability: 0.0001,
        surprisal: 13.3,
        threshold: { name: "probability", direction: "below", value: 0.001 },
        counts: { count: 1, total: 9999 },
        message: `user_agent ${JSON.stringify(userAgent)} seen once`,
        statistics: { z: 3 },
      },
    ],
  };
}

describe("writeRanked", () => {
  it("writes JSON one anomaly at a time with the bytes of stringifying the whole document", async () => {
    const hostile = ["curl/8\n\u009b31m", "\u202eevil\u2028next", "plain", '"quoted" \\ back'];
    for (const count of [0, 1, 4]) {
      const anomalies = hostile.slice(0, count).map((ua, i) => anomaly(ua, i + 1));
      const { sink, text } = collect();
      await writeRanked({
        sink,
        format: "json",
        anomalies: anomalies.values(),
        summary,
        palette: createPalette(false),
        minScore: 0,
      });
      expect(text()).toBe(`${jsonText({ summary, anomalies: anomalies.map(anomalyToJSON) }, 2)}\n`);
    }
  });
});
