import { fixture } from "@oddity/fixtures";
import {
  HOSTILE_NAMES,
  checkCountedFit,
  checkFootprints,
  fitDetectorByCounts,
  makeRecords,
  readRecords,
} from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { siteTraffic } from "../test/traffic.js";
import { client } from "./index.js";

// A WordPress site's 10,000 requests, with real scanners among them.
const wordpress = await readRecords({
  files: [fixture("wap-hackathon-nginx/access.log")],
  format: { name: "combined" },
});

function flaggedRecords(options: unknown, records = wordpress): number {
  const fitted = fitDetectorByCounts({ detector: client, options, records });
  return records.filter((r) => fitted.score(r).length > 0).length;
}

describe("client fitted from grouped counts", () => {
  it("saves the state fitting record by record saves, with the default options, on 10,000 real lines", () => {
    expect(() => checkCountedFit({ detector: client, records: wordpress })).not.toThrow();
    // The comparison of verdicts proves something only if some records are flagged.
    expect(flaggedRecords({})).toBeGreaterThan(100);
  });

  it("saves the same state with a composite key and raw paths", () => {
    const options = { key: ["ip", "user_agent"], path: "path" };
    expect(() => checkCountedFit({ detector: client, options, records: wordpress })).not.toThrow();
    expect(flaggedRecords(options)).toBeGreaterThan(0);
  });

  it("saves the same state when clients and paths overflow their caps into hash-chosen samples", () => {
    const options = { maxClients: 40, maxPaths: 300 };
    expect(() => checkCountedFit({ detector: client, options, records: wordpress })).not.toThrow();
    expect(fitDetectorByCounts({ detector: client, options, records: wordpress }).warnings).toHaveLength(2);
  });

  it("saves the same state keyed by user agent, on the scanner test traffic", () => {
    const options = { key: "user_agent", minOdd: 5 };
    expect(() => checkCountedFit({ detector: client, options, records: siteTraffic() })).not.toThrow();
    expect(flaggedRecords(options, siteTraffic())).toBeGreaterThan(0);
  });

  it("skips keyless records, keeps pathless ones and reads odd statuses as observing does", () => {
    const [proto, ctor, toStr, hasOwn] = HOSTILE_NAMES;
    const records = makeRecords([
      ...Array.from({ length: 30 }, (_, i) => ({ ip: `10.0.0.${i}`, path: `/p/${i % 4}`, times: 3 })),
      { ip: proto, path: `/${ctor}`, status: 404, times: 12 },
      { ip: proto, path: null, status: 401, times: 3 },
      { ip: null, path: "/lost", status: 404, times: 5 },
      { ip: toStr, path: `/${hasOwn}`, status: null, times: 2 },
      { ip: hasOwn, path: "/", status: 1200 },
      { ip: hasOwn, path: "/", status: 404.5 },
      { ip: "10.0.0.1", path: "/p/1?x=\u001b[31m", status: 500 },
      { ip: "-", user_agent: null, path: "/-", status: 403, times: 2 },
    ]);
    for (const options of [{}, { key: ["ip", "user_agent"] }, { key: ["user_agent", "ip"], path: "query" }]) {
      expect(() => checkCountedFit({ detector: client, options, records })).not.toThrow();
    }
  });
});

describe("client footprints", () => {
  it("decide its findings: key, path template and status, by address and by user agent, on 10,000 real lines", () => {
    expect(() => checkFootprints({ detector: client, records: wordpress })).not.toThrow();
    const options = { key: "user_agent" };
    expect(() => checkFootprints({ detector: client, options, records: wordpress })).not.toThrow();
  });
});
