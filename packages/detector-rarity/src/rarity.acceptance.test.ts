import type { Finding, LogRecord } from "@oddity/core";
import { fitDetector } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { lessonRecords } from "../test/combined-log.js";
import { rarity } from "./index.js";

// The lesson's data: the Codeup API log (13,974 lines) + its 4 synthetic requests = 13,978 rows.
const records = await lessonRecords();
const fitted = fitDetector({ detector: rarity, records });
const scored = new Map<LogRecord, readonly Finding[]>(records.map((r) => [r, fitted.score(r)]));

// The odd endpoints tooling/fixtures/codeup-api-access/SOURCE.md lists as natural anomaly candidates.
const ODD_ENDPOINTS = [
  "/api/V1/HiZach!",
  "/api/v1//api/v1/items",
  "/api/v1/items/api/v1/items",
  "/api/v1/items/next_page",
  "/api/v1/itemsitems",
  "/api/v1items",
  "/api/v1/store",
  "/api/v1/items&page=0",
  "/api/v1/helloclass!",
  "/api/v1/I_DIDNT_DO_IT!!!!",
];

const endpoint = (r: LogRecord) => r.path!.split("?")[0]!;

describe("rarity on the lesson's 13,978 requests, default options", () => {
  it("reads the lesson's 13,978 rows", () => {
    expect(records.length).toBe(13_978);
  });

  it("flags the user agent seen once in 13,978 requests, with the lesson's numbers", () => {
    const urllib = records.filter((r) => r.user_agent === "Python-urllib/3.7");
    expect(urllib.length).toBe(1);
    expect(
      scored
        .get(urllib[0]!)!
        .filter((f) => f.fields[0] === "user_agent")
        .map((f) => f.message),
    ).toEqual(['user_agent "Python-urllib/3.7" seen 1 time in 13,978 requests (p=0.000072)']);
  });

  it("with the lesson's recipe (no minimum count), flags every user agent the lesson calls anomalous and neither python-requests agent", () => {
    const lesson = fitDetector({ detector: rarity, records, options: { minCount: null } });
    const flagged = new Set<string>();
    for (const record of records) {
      if (lesson.score(record).some((f) => f.fields[0] === "user_agent")) flagged.add(record.user_agent!);
    }
    // The lesson: "The majority were python-requests/2.21.0, followed by python-requests/2.20.1. The others all seem like anomalies."
    const all = new Set(records.map((r) => r.user_agent!));
    expect([...flagged].sort()).toEqual([...all].filter((ua) => !ua.startsWith("python-requests/")).sort());
  });

  it("by default leaves the browser agent seen 34 times alone as a habit, and flags the agents seen under 20 times", () => {
    const flagged = new Set<string>();
    for (const [record, findings] of scored) {
      if (findings.some((f) => f.fields[0] === "user_agent")) flagged.add(record.user_agent!);
    }
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.user_agent!, (counts.get(r.user_agent!) ?? 0) + 1);
    const rare = [...counts].filter(([, n]) => n < 20).map(([ua]) => ua);
    expect([...counts.values()].some((n) => n >= 20 && n < 100)).toBe(true);
    expect([...flagged].sort()).toEqual(rare.sort());
  });

  it("flags every request to an odd path", () => {
    const odd = records.filter((r) => ODD_ENDPOINTS.includes(endpoint(r)));
    expect(new Set(odd.map(endpoint)).size).toBe(ODD_ENDPOINTS.length);
    const missed = odd.filter((r) => !scored.get(r)!.some((f) => f.fields[0] === "path_template"));
    expect(missed.map((r) => r.path)).toEqual([]);
  });

  it("flags the 4 synthetic requests the lesson injects", () => {
    const synthetic = records.filter((r) => r.source.endsWith("lesson-synthetic.log"));
    expect(synthetic.map((r) => [r.ip, scored.get(r)!.length > 0])).toEqual([
      ["95.31.18.119", true],
      ["95.31.16.121", true],
      ["97.105.15.120", true],
      ["97.105.19.58", true],
    ]);
    expect(scored.get(synthetic[3]!)!.map((f) => f.message)).toEqual([
      'path_template "/api/v1/sales?page=:v" seen 3 times in 13,978 requests (p=0.00021)',
    ]);
  });

  it("leaves the bulk of python-requests paging through /api/v1/sales alone (under 1% flagged)", () => {
    const bulk = records.filter(
      (r) => r.user_agent!.startsWith("python-requests/") && /^\/api\/v1\/sales\?page=\d+$/.test(r.path!),
    );
    const flagged = bulk.filter((r) => scored.get(r)!.length > 0);
    expect(bulk.length).toBeGreaterThan(12_000);
    expect(flagged.length / bulk.length).toBeLessThan(0.01);
  });

  it("raises no warning on this small-vocabulary log", () => {
    expect(fitted.warnings).toEqual([]);
  });
});
