import { readFile } from "node:fs/promises";
import { makeRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import {
  REAL_TRAFFIC_FIXTURE,
  evaluateLabelledLog,
  formatLabelledLogEvaluation,
  labelRecords,
  parseAddressLabels,
  readLabelledLog,
} from "./labelled-log.js";
import { pathPipeline } from "./test-detector.js";

const LABELS = new Map([
  ["10.0.0.1", "normal"],
  ["10.0.0.2", "normal"],
  ["10.0.0.7", "dirb"],
  ["10.0.0.8", "sqlmap"],
]);

/**
 * 100 normal lines (5 of them to /typo), 10 dirb lines (all to /admin.bak) and 10 sqlmap lines (4 to
 * /x?id=1'); the test pipeline flags exactly /typo, /admin.bak and /x?id=1'.
 */
const RECORDS = makeRecords([
  { ip: "10.0.0.1", path: "/", times: 60 },
  { ip: "10.0.0.2", path: "/api/items?page=2", times: 35 },
  { ip: "10.0.0.2", path: "/typo", times: 5 },
  { ip: "10.0.0.7", path: "/admin.bak", times: 10 },
  { ip: "10.0.0.8", path: "/x?id=1'", times: 4 },
  { ip: "10.0.0.8", path: "/x?id=1", times: 6 },
]);
const PIPELINE = pathPipeline({ "/typo": 3, "/admin.bak": 9, "/x?id=1'": 12 });

describe("parseAddressLabels", () => {
  it("reads an object from address to label", () => {
    const labels = parseAddressLabels({
      json: { "127.0.0.10": "normal", "127.0.0.201": "sqlmap" },
      source: "l.json",
    });
    expect([...labels]).toEqual([
      ["127.0.0.10", "normal"],
      ["127.0.0.201", "sqlmap"],
    ]);
  });

  it("rejects a label that is not a plain name, naming the file and the address", () => {
    expect(() => parseAddressLabels({ json: { "127.0.0.9": "\u001b[31mred" }, source: "l.json" })).toThrow(
      /^l\.json: "127\.0\.0\.9": expected "normal" or a tool name .*received "\\u001b\[31mred"$/,
    );
  });

  it("shows a hostile address escaped in its error", () => {
    expect(() => parseAddressLabels({ json: { "\u202e127.0.0.1": 5 }, source: "l.json" })).toThrow(
      'l.json: "\\u{202e}127.0.0.1": expected',
    );
  });

  it("rejects a document that is not an object", () => {
    expect(() => parseAddressLabels({ json: ["normal"], source: "l.json" })).toThrow(
      "l.json: expected a JSON object from source address to label",
    );
  });
});

describe("labelRecords", () => {
  it("labels each record by its address and counts the lines per label", () => {
    const { labels, lines } = labelRecords({ records: RECORDS, labels: LABELS });
    expect(lines).toEqual({ normal: 100, dirb: 10, sqlmap: 10 });
    expect(labels.size).toBe(20);
    expect(labels.get(100)).toBe("dirb");
    expect(labels.get(119)).toBe("sqlmap");
    expect(labels.has(99)).toBe(false);
  });

  it("fails on an address without a label, naming the line", () => {
    const records = makeRecords([{ ip: "10.0.0.1" }, { ip: "192.0.2.1", source: "a.log", line: 2 }]);
    expect(() => labelRecords({ records, labels: LABELS, labelsSource: "l.json" })).toThrow(
      'a.log:2: address "192.0.2.1" has no label in l.json',
    );
  });
});

describe("evaluateLabelledLog", () => {
  it("measures line-level precision and recall against the tools' lines", async () => {
    // flagged: 5 normal + 10 dirb + 4 sqlmap = 19; attack lines 20, of which 14 flagged
    const { result } = await evaluateLabelledLog({ pipeline: PIPELINE, records: RECORDS, labels: LABELS });
    expect(result.overall.flagged).toBe(19);
    expect(result.overall.truePositives).toBe(14);
    expect(result.overall.precision).toBeCloseTo(14 / 19, 12);
    expect(result.overall.recall).toBeCloseTo(14 / 20, 12);
  });

  it("gives each tool its own recall, most lines first", async () => {
    const { tools } = await evaluateLabelledLog({ pipeline: PIPELINE, records: RECORDS, labels: LABELS });
    expect(tools).toEqual([
      { tool: "dirb", lines: 10, flagged: 10, recall: 1 },
      { tool: "sqlmap", lines: 10, flagged: 4, recall: 0.4 },
    ]);
  });

  it("ranks by score for precision@k: the sqlmap lines first, then dirb, then the typos", async () => {
    const { result } = await evaluateLabelledLog({
      pipeline: PIPELINE,
      records: RECORDS,
      labels: LABELS,
      k: [4, 14, 19],
    });
    expect(result.overall.precisionAtK).toEqual([
      { k: 4, precision: 1 },
      { k: 14, precision: 1 },
      { k: 19, precision: 14 / 19 },
    ]);
  });

  it("prints the flagged count, precision, recall and each tool's recall", async () => {
    const evaluation = await evaluateLabelledLog({ pipeline: PIPELINE, records: RECORDS, labels: LABELS });
    const text = formatLabelledLogEvaluation({ name: "test.log", evaluation });
    expect(text).toContain("test.log: 120 lines, 20 from attack tools (normal 100, dirb 10, sqlmap 10)");
    expect(text).toContain("flagged 19, of which 14 attack lines");
    expect(text).toContain("precision 0.737  recall 0.700");
    expect(text).toContain("sqlmap  0.400  (4 of 10 lines flagged)");
  });
});

describe("the committed real-traffic log", () => {
  it("has a label for every line, with the counts its run.json recorded", async () => {
    const { records, labels, rejected } = await readLabelledLog(REAL_TRAFFIC_FIXTURE);
    const run = JSON.parse(
      await readFile(new URL("../fixtures/real-traffic/run.json", import.meta.url), "utf8"),
    ) as { counts: { lines: number; perLabel: Record<string, number> } };
    const { lines } = labelRecords({ records, labels });
    expect(rejected).toBe(0);
    expect(records.length).toBe(run.counts.lines);
    expect(lines).toEqual(run.counts.perLabel);
  });
});
