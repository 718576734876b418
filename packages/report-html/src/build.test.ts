import { createFitter, createPipeline, defineDetector, emptyStats, z, type Summary } from "@oddity/core";
import { makeRecord, makeRecords } from "@oddity/core/testing";
import { describe, expect, test } from "vitest";
import { buildReport, MAX_RAW_LENGTH } from "./build.js";
import { createReportCollector } from "./collector.js";
import { EXACT, exactDetector, reportOf } from "./fixtures.js";

const NOW = new Date(Date.UTC(2024, 0, 1));

describe("buildReport", () => {
  const records = makeRecords([
    { times: 97, user_agent: "python-requests/2.21.0", size: 500, time: Date.UTC(2019, 3, 16, 19, 34) },
    { times: 3, user_agent: "curl/8.0", size: 5, time: Date.UTC(2019, 3, 16, 19, 40) },
  ]);

  test("gives plain JSON that survives a save and load unchanged", () => {
    const { data } = reportOf({ detectors: EXACT, records });
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  test("reports the run's totals, its inputs and the flagged count seen by the collector", () => {
    const { data } = reportOf({ detectors: EXACT, records, top: 2, inputs: ["a.log", "b.log"] });
    expect(data.run).toEqual({
      inputs: ["a.log", "b.log"],
      format: "combined",
      stats: { read: 100, parsed: 100, rejected: 0, blank: 0, bytes: 0 },
      flagged: 3,
      timeRange: { from: "2019-04-16T19:34:00.000Z", to: "2019-04-16T19:40:00.000Z" },
      warnings: [],
    });
    expect(data.anomalies.map((a) => a.rank)).toEqual([1, 2]);
  });

  test("lists the model's detectors with their validated options and its baseline", () => {
    const { data } = reportOf({ detectors: EXACT, records });
    expect(data.detectors).toEqual([
      {
        id: "exact",
        use: "exact",
        name: "exact",
        description: "exact counts for report tests",
        options: {
          fields: ["user_agent", "path", "status"],
          pair: { given: "ip", target: "status" },
          threshold: 0.001,
        },
      },
    ]);
    expect(data.baseline).toEqual({
      records: 100,
      sources: ["test.log"],
      timeRange: { from: "2019-04-16T19:34:00.000Z", to: "2019-04-16T19:40:00.000Z" },
    });
  });

  test("keeps the record values the distribution chart needs with each anomaly", () => {
    const { data } = reportOf({ detectors: EXACT, records });
    expect(data.anomalies[0]!.fields).toEqual({ endpoint: "/", size: 5 });
  });

  test("shortens a huge raw line and says how much it cut", () => {
    const long = makeRecord({ line: records.length + 1, user_agent: "x".repeat(10_000) });
    const { data } = reportOf({ detectors: EXACT, records: [...records, long] });
    const row = data.anomalies.find((a) => a.line === long.line)!;
    expect([row.raw.length, row.rawCut]).toEqual([MAX_RAW_LENGTH, long.raw.length - MAX_RAW_LENGTH]);
  });

  test("turns a detector whose summarize throws into a warning and still builds the report", () => {
    const broken = defineDetector({
      meta: { name: "broken", description: "throws in summarize", apiVersion: 1, options: z.object({}) },
      create: () => ({
        init: () => null,
        observe() {},
        merge: (a: null) => a,
        score: () => [],
        toJSON: () => null,
        fromJSON: () => null,
        summarize(): Summary[] {
          throw new Error("state too large");
        },
      }),
    });
    const fitter = createFitter(
      createPipeline({
        detectors: [
          { use: "broken", definition: broken },
          { use: "exact", definition: exactDetector },
        ],
      }),
    );
    for (const r of records) fitter.observe(r);
    const data = buildReport({
      model: fitter.finish(),
      stats: emptyStats(),
      inputs: [],
      format: null,
      anomalies: [],
      collector: createReportCollector(),
      warnings: ["input.log: 2 lines rejected"],
      now: NOW,
    });
    expect(data.run.warnings).toEqual([
      "input.log: 2 lines rejected",
      "broken: could not summarize its statistics for the report: state too large",
    ]);
    expect(data.summaries.map((s) => s.kind)).toEqual([
      "frequencies",
      "frequencies",
      "frequencies",
      "conditional",
      "distribution",
    ]);
    expect(data.timeline).toBeNull();
  });
});
