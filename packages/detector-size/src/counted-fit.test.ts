import type { LogRecord } from "@oddity/core";
import {
  checkCountedFit,
  checkFootprints,
  fitDetectorByCounts,
  makeRecord,
  readRecords,
} from "@oddity/core/testing";
import { fixture } from "@oddity/fixtures";
import { describe, expect, it } from "vitest";
import { size } from "./index.js";
import type { SizeStateJSON } from "./serialize.js";

// The Elastic sample (10,000 real combined lines, one of them cut off and skipped as the host skips it)
// and a WordPress site's log (10,000 nginx lines).
const apache = await readRecords({ files: [fixture("elastic-apache/apache_logs")], strict: false });
const nginx = await readRecords({
  files: [fixture("wap-hackathon-nginx/access.log")],
  format: { name: "combined" },
});

function saved(options: Record<string, unknown>, records: readonly LogRecord[]): SizeStateJSON {
  const fitted = fitDetectorByCounts({ detector: size, options, records });
  return JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state))) as SizeStateJSON;
}

describe("size fitted from grouped counts", () => {
  it.each([
    ["elastic-apache, by path template", apache, {}],
    [
      "wap-hackathon-nginx, by path template and status (the CLI's default)",
      nginx,
      { groupBy: ["path_template", "status"] },
    ],
    ["elastic-apache, one distribution for all", apache, { groupBy: null, method: "mad" }],
    [
      "elastic-apache, derived size_mb by derived hour",
      apache,
      { field: "size_mb", groupBy: ["hour", "method"] },
    ],
  ])("saves the state fitting record by record saves on %s", (_name, records, options) => {
    expect(() => checkCountedFit({ detector: size, options, records })).not.toThrow();
  });

  it("saves the same sketches when groups hold more distinct values than exactLimit", () => {
    const options = { groupBy: "method", exactLimit: 5 };
    expect(() => checkCountedFit({ detector: size, options, records: apache })).not.toThrow();
    const state = saved(options, apache);
    expect([
      state.global.sketch === undefined,
      state.groups.every((g) => g.distribution.values !== undefined),
    ]).toEqual([false, false]);
  });

  it("reads a numeric extra as observing does: blank, non-numeric, infinite, negative and zero values", () => {
    const texts = [" 12 ", "", "abc", "1e3", "0x10", "Infinity", "-3.5", "0", "-0", "0.25", "12", "NaN"];
    const records = texts.flatMap((text, i) =>
      [0, 1, 2].map((j) =>
        makeRecord({
          path: `/r${(i + j) % 3}`,
          method: j === 2 ? null : "GET",
          extra: { rt: text },
        }),
      ),
    );
    records.push(makeRecord({ path: "/r0", extra: null }));
    for (const exactLimit of [1000, 3]) {
      const options = { field: "rt", groupBy: ["path", "method"], exactLimit, minGroupSize: 2 };
      expect(() => checkCountedFit({ detector: size, options, records })).not.toThrow();
    }
    // "", "abc", "Infinity" and "NaN" for three records each, and the record without the extra.
    expect(saved({ field: "rt" }, records).missing).toBe(13);
  });

  it("saves the same tracked groups and evicted count when more groups than it tracks arrive", () => {
    // 21,000 paths, about 20,800 of them with a status: past the 20,000 it tracks before cutting back.
    const records = Array.from({ length: 21_500 }, (_, i) =>
      makeRecord({ path: `/p${i % 21_000}`, size: 10 + (i % 7), status: i % 100 === 0 ? null : 200 }),
    );
    const options = { groupBy: ["path", "status"], maxGroups: 1 };
    expect(() => checkCountedFit({ detector: size, options, records })).not.toThrow();
    expect(saved(options, records).evicted).toBeGreaterThan(0);
  });
});

describe("size footprints", () => {
  it("decide its findings: the group's values and the size, on two real logs", () => {
    expect(() => checkFootprints({ detector: size, records: apache })).not.toThrow();
    const options = { groupBy: ["path_template", "status"] };
    expect(() => checkFootprints({ detector: size, options, records: apache })).not.toThrow();
    expect(() => checkFootprints({ detector: size, records: nginx })).not.toThrow();
  });
});
