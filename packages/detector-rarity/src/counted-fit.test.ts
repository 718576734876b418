import type { LogRecord } from "@oddity/core";
import {
  checkCountedFit,
  checkFootprints,
  fitDetectorByCounts,
  makeRecords,
  readRecords,
} from "@oddity/core/testing";
import { fixture } from "@oddity/fixtures";
import { describe, expect, it } from "vitest";
import { CLIENT_SAMPLE_SIZE, rarity } from "./index.js";

// The Elastic sample (10,000 real combined lines, one of them cut off and skipped as the host skips it)
// and a WordPress site's log (10,000 nginx lines).
const apache = await readRecords({ files: [fixture("elastic-apache/apache_logs")], strict: false });
const nginx = await readRecords({
  files: [fixture("wap-hackathon-nginx/access.log")],
  format: { name: "combined" },
});

interface SavedField {
  counter: { ceiling: number };
  oneOffs: Array<[string, number]> | null;
}
interface Saved {
  clients: { hashes: number[]; saturated: boolean };
  fields: SavedField[];
}

function saved(options: Record<string, unknown>, records: readonly LogRecord[]): Saved {
  const fitted = fitDetectorByCounts({ detector: rarity, options, records });
  return JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state))) as Saved;
}

describe("rarity fitted from grouped counts", () => {
  it.each([
    ["elastic-apache", apache],
    ["wap-hackathon-nginx", nginx],
  ])("saves the state fitting record by record saves, default fields, on %s", (_name, records) => {
    expect(() => checkCountedFit({ detector: rarity, records })).not.toThrow();
  });

  it("saves the same state, one-off owners included, when counters overflow maxDistinct into the sketch", () => {
    const options = { fields: ["ip", "path", "user_agent", "referer"], maxDistinct: 50 };
    expect(() => checkCountedFit({ detector: rarity, options, records: apache })).not.toThrow();
    const { fields } = saved(options, apache);
    // Every counter overflowed, and values seen once still fall below its ceiling with their owners.
    expect(fields.map((f) => f.counter.ceiling < 2 ** 32)).toEqual([true, true, true, true]);
    expect(fields.slice(1).every((f) => f.oneOffs!.length > 0)).toBe(true);
  });

  it("attributes one-off values to their client when several clients bring them, absent values and clients included", () => {
    const records = makeRecords([
      { times: 40, ip: "10.0.0.1", user_agent: "curl/8", path: "/" },
      // one-off user agents from three clients, one from a request without a client
      { ip: "10.0.0.2", user_agent: "scanner/1", path: "/a" },
      { ip: "10.0.0.3", user_agent: "scanner/2", path: "/b" },
      { ip: "10.0.0.3", user_agent: "scanner/3", path: "/c" },
      { ip: null, user_agent: "ghost/1", path: "/d" },
      { ip: "-", user_agent: "ghost/2", path: "/e" },
      // a value twice, from two clients: not a one-off, whichever row comes first
      { ip: "10.0.0.4", user_agent: "twice/1", path: "/f" },
      { ip: "10.0.0.5", user_agent: "twice/1", path: "/g" },
      // absent and written "-": the same value, seen twice
      { ip: "10.0.0.6", user_agent: null, path: null },
      { ip: "10.0.0.7", user_agent: "-", path: "-" },
    ]);
    const options = { fields: ["user_agent", "path", "ip", "method"], minCount: 2 };
    expect(() => checkCountedFit({ detector: rarity, options, records })).not.toThrow();
    const [agents] = saved(options, records).fields;
    expect(agents!.oneOffs!.map(([value]) => value)).toEqual([
      "ghost/1",
      "ghost/2",
      "scanner/1",
      "scanner/2",
      "scanner/3",
    ]);
  });

  it("saves the same state with a client read from another field, or without clients", () => {
    const options = [
      { client: "user_agent", fields: ["path_template", "user_agent", "status"] },
      { client: null, fields: ["ip", "path_template"] },
    ];
    for (const o of options)
      expect(() => checkCountedFit({ detector: rarity, options: o, records: apache })).not.toThrow();
  });

  it("saves the same client sample when more than CLIENT_SAMPLE_SIZE clients saturate it", () => {
    const records = makeRecords(
      Array.from({ length: 2 * CLIENT_SAMPLE_SIZE + 100 }, (_, i) => ({
        ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        path: `/item/${i % 7 === 0 ? i : 1}`,
      })),
    );
    const options = { fields: ["path", "ip"] };
    expect(() => checkCountedFit({ detector: rarity, options, records })).not.toThrow();
    expect(saved(options, records).clients).toMatchObject({ saturated: true });
  });
});

describe("rarity footprints", () => {
  it("decide its findings: each value's finding depends on the value alone, on two real logs", () => {
    expect(() => checkFootprints({ detector: rarity, records: apache })).not.toThrow();
    expect(() => checkFootprints({ detector: rarity, records: nginx })).not.toThrow();
  });
});
