import path from "node:path";
import { fixture } from "@oddity/fixtures";
import {
  checkCountedFit,
  checkFootprints,
  fitDetectorByCounts,
  makeRecords,
  readRecords,
} from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { conditional } from "./index.js";

const records = await readRecords({
  files: [path.join(import.meta.dirname, "../test/fixtures/sample/access.log")],
  format: { name: "combined" },
});

describe("conditional fitted from grouped counts", () => {
  it("saves the state fitting record by record saves, with the default pairs (path_template derived) on 3,000 real lines", () => {
    expect(() => checkCountedFit({ detector: conditional, records })).not.toThrow();
  });

  it("saves the same state when more distinct values than maxDistinct spill into the sketch", () => {
    const options = { pairs: [{ given: "ip", target: "path" }], maxDistinct: 5 };
    expect(() => checkCountedFit({ detector: conditional, options, records })).not.toThrow();
    expect(fitDetectorByCounts({ detector: conditional, options, records }).warnings).toHaveLength(1);
  });

  it("counts absent values under - as observing does", () => {
    const sparse = makeRecords([
      { times: 30, ip: "10.0.0.1", user_agent: null, referer: null },
      { times: 5, ip: "10.0.0.2", user_agent: "-", referer: "https://a.example/" },
      { times: 2, ip: null, user_agent: "curl/8" },
    ]);
    const options = {
      pairs: [
        { given: "ip", target: "user_agent" },
        { given: "referer", target: "hour" },
      ],
      minSupport: 1,
    };
    expect(() => checkCountedFit({ detector: conditional, options, records: sparse })).not.toThrow();
  });
});

describe("conditional footprints", () => {
  it("decide its findings: each pair's finding depends on the pair's values alone, on 10,000 real lines", async () => {
    const wordpress = await readRecords({
      files: [fixture("wap-hackathon-nginx/access.log")],
      format: { name: "combined" },
    });
    expect(() => checkFootprints({ detector: conditional, records: wordpress })).not.toThrow();
  });
});
