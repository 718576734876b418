import { fixture } from "@oddity/fixtures";
import {
  HOSTILE_NAMES,
  checkCountedFit,
  checkFootprints,
  fitDetectorByCounts,
  makeRecords,
  readRecords,
} from "@oddity/core/testing";
import type { LogRecord } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { params } from "./index.js";

// The lesson's API (12,939 of 13,978 requests carry a query string) and a WordPress site with scanners.
const api = await readRecords({
  files: ["access.log", "lesson-synthetic.log"].map((file) => fixture(`codeup-api-access/${file}`)),
});
const wordpress = await readRecords({
  files: [fixture("wap-hackathon-nginx/access.log")],
  format: { name: "combined" },
});

function flaggedRecords(records: readonly LogRecord[], options: unknown): number {
  const fitted = fitDetectorByCounts({ detector: params, options, records });
  return records.filter((r) => fitted.score(r).length > 0).length;
}

describe("params fitted from grouped counts", () => {
  it("saves the state fitting record by record saves, with the default options, on the lesson's API log", () => {
    expect(() => checkCountedFit({ detector: params, records: api })).not.toThrow();
    // The comparison of verdicts proves something only if some records are flagged.
    expect(flaggedRecords(api, {})).toBeGreaterThan(0);
  });

  it("saves the same state on 10,000 WordPress lines, clients told apart by user agent", () => {
    const options = { client: "user_agent", minSupport: 20 };
    expect(() => checkCountedFit({ detector: params, options, records: wordpress })).not.toThrow();
    expect(flaggedRecords(wordpress, options)).toBeGreaterThan(0);
  });

  it("saves the same state when templates, names and tokens overflow their caps", () => {
    const options = { maxTemplates: 20, maxParameters: 1, maxTokens: 3, minSupport: 5 };
    expect(() => checkCountedFit({ detector: params, options, records: wordpress })).not.toThrow();
    expect(fitDetectorByCounts({ detector: params, options, records: wordpress }).warnings).toHaveLength(2);
  });

  it("learns repeated, empty, hostile, long and undecodable parameters, and unknown clients, as observing does", () => {
    const [proto, ctor, toStr, hasOwn] = HOSTILE_NAMES;
    const records = makeRecords([
      ...Array.from({ length: 12 }, (_, i) => ({ ip: `10.0.0.${i}`, path: `/s?q=${i}&page=1`, times: 9 })),
      { ip: "10.0.0.1", path: `/s?q=a&q=b&q=a&${proto}=1`, times: 7 },
      { ip: null, path: `/s?q=&page=&&=x`, times: 4 },
      { ip: proto, path: `/${hasOwn}?${ctor}=${toStr}`, times: 3 },
      { ip: "10.0.0.2", path: `/s?q=${"a".repeat(100)}`, times: 2 },
      { ip: "10.0.0.3", path: `/s?q=${"%41".repeat(3000)}`, times: 2 },
      { ip: "10.0.0.4", path: "/s?q=%zz%&page=%E2%82", times: 2 },
      { ip: "10.0.0.5", path: "/s?q=\u001b[2J&page=\u0000" },
      { ip: "10.0.0.6", path: "/s?" },
      { ip: "10.0.0.6", path: "?q=1" },
      { ip: "10.0.0.7", path: "/s" },
      { ip: "10.0.0.8", path: null },
    ]);
    for (const options of [{ minSupport: 5 }, { minSupport: 5, client: "user_agent" }, { maxTokens: 0 }]) {
      expect(() => checkCountedFit({ detector: params, options, records })).not.toThrow();
    }
  });
});

describe("params footprints", () => {
  it("decide its findings: the path alone, on the lesson's API log", () => {
    expect(() => checkFootprints({ detector: params, records: api })).not.toThrow();
  });
});
