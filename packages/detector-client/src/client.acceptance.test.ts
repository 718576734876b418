import path from "node:path";
import type { Finding, LogRecord } from "@oddity/core";
import { fitDetector, readRecords } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { client } from "./index.js";

// Real traffic of a personal site (elastic/examples' apache_logs; see test/fixtures/elastic-apache).
const records = await readRecords({
  files: [path.resolve(import.meta.dirname, "../test/fixtures/elastic-apache/apache_logs.gz")],
  format: { name: "combined" },
});
const fitted = fitDetector({ detector: client, records });
const scored = new Map<LogRecord, readonly Finding[]>(records.map((r) => [r, fitted.score(r)]));
const flagged = records.filter((r) => scored.get(r)!.length > 0);

function errorsOf(ip: string): number {
  return records.filter((r) => r.ip === ip && r.status! >= 400).length;
}

describe("client on 9,999 requests to a personal site, default options", () => {
  it("reads the 9,999 lines", () => {
    expect(records.length).toBe(9_999);
  });

  it("flags the Chef client that asked for one missing jar 60 times, on all 60 requests", () => {
    const chef = records.filter((r) => r.ip === "208.91.156.11");
    expect(chef.length).toBe(60);
    expect(chef.every((r) => r.status === 404 && scored.get(r)!.length === 1)).toBe(true);
    expect(scored.get(chef[0]!)![0]!.message).toMatch(
      /^client "208\.91\.156\.11": 60 of its 60 requests answered 404 \(other clients 1\.\d%; p=\d\.\de-\d+\)$/,
    );
  });

  it("flags only error responses: never a 200, 206 or 304", () => {
    expect(flagged.filter((r) => r.status! < 400).map((r) => r.status)).toEqual([]);
  });

  it("flags no client with fewer than 10 error responses", () => {
    const clients = [...new Set(flagged.map((r) => r.ip!))];
    expect(clients.filter((ip) => errorsOf(ip) < 10)).toEqual([]);
  });
});
