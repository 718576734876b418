import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { fixture } from "@oddity/fixtures";
import { createRecord, type Finding, type LogRecord } from "@oddity/core";
import { fitDetector } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { size } from "./index.js";

// Until @oddity/core exports its readers, a combined-format reader just wide enough for these files.
const COMBINED = /^(\S+) \S+ \S+ \[[^\]]+\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+|-)/;

function readCombined(file: string): LogRecord[] {
  const bytes = readFileSync(fixture(file));
  const text = (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  const source = path.basename(file);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((raw, i) => {
      const m = COMBINED.exec(raw);
      if (m === null) throw new Error(`${source}:${i + 1} is not in combined format`);
      return createRecord({
        source,
        line: i + 1,
        raw,
        ip: m[1]!,
        method: m[2]!,
        path: m[3]!,
        http_version: m[4]!,
        status: Number(m[5]),
        size: m[6] === "-" ? null : Number(m[6]),
      });
    });
}

function flagged(
  records: LogRecord[],
  options: Record<string, unknown>,
): Array<{ record: LogRecord; finding: Finding }> {
  const fitted = fitDetector({ detector: size, options, records });
  return records.flatMap((record) => fitted.score(record).map((finding) => ({ record, finding })));
}

describe("codeup API log with the lesson's synthetic requests", () => {
  const records = [
    ...readCombined("codeup-api-access/access.log"),
    ...readCombined("codeup-api-access/lesson-synthetic.log"),
  ];

  it("reads the lesson's 13,978 rows", () => {
    expect(records).toHaveLength(13_978);
  });

  it("flags exactly the two synthetic responses of 1,153,005 and 2,056,327 bytes as too large with the defaults", () => {
    const hits = flagged(records, {}).filter(({ finding }) => finding.kind === "high");
    expect(
      hits.map(({ record, finding }) => [record.source, record.line, finding.kind, finding.values]),
    ).toEqual([
      ["lesson-synthetic.log", 1, "high", ["1153005", "/api/v1/items/"]],
      ["lesson-synthetic.log", 4, "high", ["2056327", "/api/v1/sales?page=:v"]],
    ]);
    // Both paths are too rare to have a group of their own, so all 13,978 sizes are the reference.
    expect(hits.map(({ finding }) => finding.counts)).toEqual([
      { group_count: 1, reference_count: 13_978, tail_count: 2, missing_count: 0 },
      { group_count: 3, reference_count: 13_978, tail_count: 1, missing_count: 0 },
    ]);
  });

  it("flags as too small, with the defaults, only the truncated sales pages, not aborted empty responses", () => {
    // The sales and items groups are stable (middle half within a factor 2), so their lower side is tested.
    const low = flagged(records, {}).filter(({ finding }) => finding.kind === "low");
    const tally = new Map<string, number>();
    for (const { record, finding } of low) {
      const key = `${record.status} ${record.size} ${finding.values[1]}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(tally)).toEqual({
      "200 130921 /api/v1/sales?page=:n": 3,
    });
  });

  it("catches the three 130,921-byte sales pages in two-sided mode, against the sales group", () => {
    const low = flagged(records, { side: "both" }).filter(({ record }) => record.size === 130_921);
    expect(low.map(({ record }) => record.path)).toEqual([
      "/api/v1/sales?page=18",
      "/api/v1/sales?page=12",
      "/api/v1/sales?page=56",
    ]);
    for (const { finding } of low) {
      expect(finding).toMatchObject({
        kind: "low",
        values: ["130921", "/api/v1/sales?page=:n"],
        counts: { group_count: 12_251, reference_count: 12_251 },
      });
    }
  });
});

describe("elastic nginx download log", () => {
  it("ranks the 86,377,168-byte download as its strongest size outlier", () => {
    // Lines 40,001-50,000 of the log, with its largest download (the fixture's SOURCE.md).
    const records = readCombined("elastic-nginx/nginx_logs.gz");
    expect(records).toHaveLength(10_000);
    const hits = flagged(records, {});
    const strongest = hits.reduce((best, hit) =>
      hit.finding.surprisal > best.finding.surprisal ? hit : best,
    );
    expect(strongest.record.size).toBe(86_377_168);
    expect(strongest.finding.counts).toMatchObject({ tail_count: 1 });
  });
});
