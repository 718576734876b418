import { createParser, getFieldText } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { SALES_PAGES, generateRecords, generateTraffic } from "./generate.js";

function shares(values: Array<string | null>): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const [k, n] of counts) counts.set(k, n / values.length);
  return counts;
}

describe("generateTraffic", () => {
  it("gives the same lines for the same seed and different lines for another seed", () => {
    const a = generateTraffic({ seed: 7, lines: 2_000 });
    expect(generateTraffic({ seed: 7, lines: 2_000 })).toEqual(a);
    expect(generateTraffic({ seed: 8, lines: 2_000 })).not.toEqual(a);
    expect(a).toHaveLength(2_000);
  });

  it("starts at the given time and never goes back in time", () => {
    const records = generateRecords({ seed: 1, lines: 3_000, start: new Date("2024-01-02T03:04:05Z") });
    expect(records[0]!.time_text).toBe("02/Jan/2024:03:04:05 +0000");
    expect(records.every((r, i) => i === 0 || r.time! >= records[i - 1]!.time!)).toBe(true);
  });

  it("is dominated by one python-requests scraper among a handful of clients", () => {
    const records = generateRecords({ seed: 3, lines: 20_000 });
    const agents = shares(records.map((r) => r.user_agent));
    const python = (agents.get("python-requests/2.21.0") ?? 0) + (agents.get("python-requests/2.20.1") ?? 0);
    expect(python).toBeGreaterThan(0.9);
    const ips = shares(records.map((r) => r.ip));
    expect(Math.max(...ips.values())).toBeGreaterThan(0.7);
    // 4 regular clients plus Slackbot's rotating cloud addresses.
    expect(ips.size).toBeLessThanOrEqual(16);
  });

  it("answers each endpoint with its own response size", () => {
    const records = generateRecords({ seed: 5, lines: 20_000 }).filter((r) => r.status === 200);
    const sizesOf = (path: string) => new Set(records.filter((r) => r.path === path).map((r) => r.size));
    expect(sizesOf("/api/v1/items?page=2")).toEqual(new Set([3_659]));
    expect(sizesOf("/api/v1/stores")).toEqual(new Set([1_328]));
    expect(sizesOf("/")).toEqual(new Set([42]));
    const salesPages = records.filter(
      (r) =>
        getFieldText(r, "path_template") === "/api/v1/sales?page=:n" &&
        r.path !== `/api/v1/sales?page=${SALES_PAGES}`,
    );
    expect(salesPages.length).toBeGreaterThan(10_000);
    expect(salesPages.every((r) => r.size! >= 494_000 && r.size! < 514_000)).toBe(true);
  });

  it("logs aborted requests as status 499 with 0 bytes, and nothing else with 0 bytes", () => {
    const records = generateRecords({ seed: 9, lines: 20_000 });
    const aborted = records.filter((r) => r.status === 499);
    expect(aborted.length).toBeGreaterThan(0);
    expect(records.filter((r) => r.size === 0)).toEqual(aborted);
  });

  it("keeps every request a GET over HTTP/1.1, like the lesson's API", () => {
    const records = generateRecords({ seed: 11, lines: 5_000 });
    expect(new Set(records.map((r) => `${r.method} ${r.http_version}`))).toEqual(new Set(["GET HTTP/1.1"]));
  });

  it("writes combined lines that core's parser reads back as the same records", () => {
    const records = generateRecords({ seed: 13, lines: 3_000 });
    const parser = createParser({ name: "combined" });
    const parsed = generateTraffic({ seed: 13, lines: 3_000 }).map((line, i) =>
      parser.parse(line, "generated.log", i + 1),
    );
    expect(parsed).toEqual(records);
  });
});
