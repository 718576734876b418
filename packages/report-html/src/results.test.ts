import { createParser, createScorer, InputError, TopRecords } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, test } from "vitest";
import { EXACT, reportOf } from "./fixtures.js";
import { reportDataFromResults } from "./results.js";

const NOW = new Date(Date.UTC(2024, 0, 1));
const records = makeRecords([
  {
    times: 200,
    user_agent: "python-requests/2.21.0",
    size: 500,
    time: Date.UTC(2019, 3, 16, 19, 34),
    time_text: "16/Apr/2019:19:34:00 +0000",
  },
  {
    times: 2,
    user_agent: "curl/8.0",
    size: 5,
    time: Date.UTC(2019, 3, 16, 20, 10),
    time_text: "16/Apr/2019:20:10:00 +0000",
  },
]);

const parser = createParser({ name: "combined" });

/** A live report and what `oddity detect --format json` would have saved for the same run. */
function run() {
  const { data, model } = reportOf({ detectors: EXACT, records, now: NOW });
  const score = createScorer(model);
  const top = new TopRecords(100);
  for (const r of records) {
    const scored = score(r);
    if (scored) top.add(scored);
  }
  const results = {
    summary: {
      read: 202,
      parsed: 202,
      rejected: 0,
      blank: 0,
      flagged: top.count,
      format: "combined",
      inputs: ["test.log"],
      warnings: [],
      detectors: ["exact"],
    },
    anomalies: top.ranked().map(({ record, score: s, findings }) => ({
      source: record.source,
      line: record.line,
      raw: record.raw,
      score: s,
      findings,
    })),
  };
  return { live: data, model, results: JSON.parse(JSON.stringify(results)) as unknown };
}

describe("reportDataFromResults", () => {
  test("rebuilds the anomaly table and the charts of a run from its saved JSON and model", () => {
    const { live, model, results } = run();
    const data = reportDataFromResults({ results, model, parser, generatedBy: "oddity test", now: NOW });
    expect(data.anomalies).toEqual(live.anomalies);
    expect(data.summaries).toEqual(live.summaries);
    expect(data.run).toEqual({ ...live.run, timeRange: { from: null, to: null } });
    expect(data.detectors).toEqual(live.detectors);
  });

  test("draws the timeline of the listed anomalies only, and says so, when the logs are not read again", () => {
    const { model, results } = run();
    const timeline = reportDataFromResults({ results, model, parser, now: NOW }).timeline!;
    expect(timeline.complete).toBe(false);
    expect(timeline.buckets.filter((b) => b.flagged > 0)).toEqual([
      { start: Date.UTC(2019, 3, 16, 20, 10), requests: 2, flagged: 2 },
    ]);
  });

  test("draws the charts of a model alone, with an empty table", () => {
    const { model } = run();
    const data = reportDataFromResults({ model, now: NOW });
    expect([data.anomalies, data.timeline, data.summaries.length, data.run.stats.read]).toEqual([
      [],
      null,
      5,
      0,
    ]);
  });

  test("names the file and the first wrong key when the JSON is not detect output", () => {
    const results = { anomalies: [{ source: "a.log", line: 1, raw: "x", score: "high", findings: [] }] };
    expect(() => reportDataFromResults({ results, where: "run.json" })).toThrow(
      new InputError(
        "run.json: not the JSON output of oddity detect: anomalies.0.score: Invalid input: expected number, received string",
      ),
    );
  });

  test("refuses to build a report from nothing", () => {
    expect(() => reportDataFromResults({})).toThrow(InputError);
  });
});
