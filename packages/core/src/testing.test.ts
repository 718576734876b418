import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineDetector, type DetectorHooks } from "./detector.js";
import { NO_FINDINGS, type Finding } from "./finding.js";
import type { LogRecord } from "./record.js";
import {
  FIT_WAYS,
  HOSTILE_NAMES,
  hostileRenames,
  inOriginalValues,
  makeRecord,
  makeRecords,
  readRecords,
  renameValues,
  renamingEffects,
  withoutMessage,
} from "./testing.js";

const LINE = '10.0.0.1 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 42 "-" "curl/8"';

const dir = mkdtempSync(path.join(tmpdir(), "oddity-testing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeLog(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((line) => `${line}\n`).join(""));
  return file;
}

function rareFinding(value: string, count: number, total: number): Finding {
  return {
    detector: "rare-agent",
    kind: "rare",
    fields: ["user_agent"],
    values: [value],
    probability: count / total,
    surprisal: -Math.log2(count / total),
    threshold: { name: "count", direction: "below", value: 2 },
    counts: { count, total },
    message: `user_agent ${value} seen ${count} time in ${total} requests`,
  };
}

interface AgentCounts {
  total: number;
  counts: Map<string, number>;
}

// Flags a user agent seen once; counts in a Map, so any value is just a key.
const rareAgent = defineDetector({
  meta: { name: "rare-agent", description: "user agents seen once", apiVersion: 1, options: z.object({}) },
  create(): DetectorHooks<AgentCounts> {
    return {
      init: () => ({ total: 0, counts: new Map() }),
      observe: (state, record) => {
        const agent = record.user_agent ?? "-";
        state.total++;
        state.counts.set(agent, (state.counts.get(agent) ?? 0) + 1);
      },
      merge: (a, b) => {
        const counts = new Map(a.counts);
        for (const [agent, n] of b.counts) counts.set(agent, (counts.get(agent) ?? 0) + n);
        return { total: a.total + b.total, counts };
      },
      score: (state, record) => {
        const agent = record.user_agent ?? "-";
        const count = state.counts.get(agent) ?? 0;
        return count === 1 ? [rareFinding(agent, count, state.total)] : NO_FINDINGS;
      },
      toJSON: (state) => ({ total: state.total, counts: [...state.counts] }),
      fromJSON: (json) => {
        const { total, counts } = json as { total: number; counts: Array<[string, number]> };
        return { total, counts: new Map(counts) };
      },
    };
  },
});

// The bug the check is for: counts kept in plain objects keyed by log values.
const plainObjectAgent = defineDetector({
  meta: {
    name: "rare-agent",
    description: "the same, in a plain object",
    apiVersion: 1,
    options: z.object({}),
  },
  create(): DetectorHooks<{ total: number; counts: Record<string, number> }> {
    return {
      init: () => ({ total: 0, counts: {} }),
      observe: (state, record) => {
        const agent = record.user_agent ?? "-";
        state.total++;
        state.counts[agent] = (state.counts[agent] ?? 0) + 1;
      },
      merge: (a) => a,
      score: (state, record) => {
        const agent = record.user_agent ?? "-";
        return state.counts[agent] === 1 ? [rareFinding(agent, 1, state.total)] : NO_FINDINGS;
      },
      toJSON: (state) => state,
      fromJSON: (json) => json as { total: number; counts: Record<string, number> },
    };
  },
});

// Worse: agents per ip in nested plain objects, so an ip named __proto__ writes into Object.prototype.
const nestedObjectAgent = defineDetector({
  meta: { name: "rare-agent", description: "agents per ip, nested", apiVersion: 1, options: z.object({}) },
  create(): DetectorHooks<Record<string, Record<string, number>>> {
    return {
      init: () => ({}),
      observe: (state, record) => {
        const byAgent = (state[record.ip ?? "-"] ??= {});
        const agent = record.user_agent ?? "-";
        byAgent[agent] = (byAgent[agent] ?? 0) + 1;
      },
      merge: (a) => a,
      score: (state, record) => {
        const [ip, agent] = [record.ip ?? "-", record.user_agent ?? "-"];
        if (state[ip]?.[agent] !== 1) return NO_FINDINGS;
        return [{ ...rareFinding(agent, 1, 4), fields: ["ip", "user_agent"], values: [ip, agent] }];
      },
      toJSON: (state) => state,
      fromJSON: (json) => json as Record<string, Record<string, number>>,
    };
  },
});

const records: LogRecord[] = makeRecords([
  { times: 3, ip: "10.0.0.1", user_agent: "curl/8" },
  { ip: "10.0.0.2", user_agent: "rare-bot/1", path: "/admin" },
]);

describe("makeRecord and makeRecords", () => {
  it("number a table's records from line 1 in table order, each call afresh", () => {
    const table = [{ times: 2, ip: "10.0.0.1" }, { ip: "10.0.0.2" }];
    expect(makeRecords(table).map((r) => [r.line, r.ip])).toEqual([
      [1, "10.0.0.1"],
      [2, "10.0.0.1"],
      [3, "10.0.0.2"],
    ]);
    expect(makeRecords(table).map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it("keep the line a caller gives, and put a lone record on line 1 however many came before", () => {
    makeRecords([{ times: 5 }]);
    expect([makeRecord().line, makeRecord({ line: 7 }).line]).toEqual([1, 7]);
    expect(makeRecords([{ line: 40 }, {}]).map((r) => r.line)).toEqual([40, 2]);
  });
});

describe("hostileRenames", () => {
  it("gives the listed values the hostile names in turn, continuing across fields", () => {
    expect(hostileRenames({ ip: ["10.0.0.1", "10.0.0.2"], path: ["/", "/a", "/b"] })).toEqual({
      ip: new Map([
        ["10.0.0.1", "__proto__"],
        ["10.0.0.2", "constructor"],
      ]),
      path: new Map([
        ["/", "toString"],
        ["/a", "hasOwnProperty"],
        ["/b", "__proto__"],
      ]),
    });
  });

  it("refuses a field with more values than names, since two values would become one", () => {
    expect(() => hostileRenames({ path: ["/a", "/b", "/c", "/d", "/e"] })).toThrow(
      "path: give at most 4 distinct values, one for each hostile name",
    );
  });
});

describe("renameValues", () => {
  it("gives a record the hostile names and leaves its other fields and the original as they were", () => {
    const record = makeRecord({ ip: "10.0.0.2", user_agent: "rare-bot/1", path: "/admin" });
    const before = structuredClone(record);
    const renamed = renameValues(record, hostileRenames({ ip: ["10.0.0.2"], user_agent: ["rare-bot/1"] }));
    expect(renamed).toEqual({ ...before, ip: "__proto__", user_agent: "constructor" });
    expect(record).toEqual(before);
  });
});

describe("inOriginalValues", () => {
  it("tells a finding on renamed values in the original values, without its message", () => {
    const renames = hostileRenames({ ip: ["10.0.0.2"], user_agent: ["rare-bot/1"] });
    const finding: Finding = { ...rareFinding("constructor", 1, 4), fields: ["ip", "user_agent", "path"] };
    finding.values = ["__proto__", "constructor", "constructor"];
    expect(inOriginalValues(finding, renames)).toEqual({
      ...withoutMessage(finding),
      // path was not renamed: its value named constructor stays as logged.
      values: ["10.0.0.2", "rare-bot/1", "constructor"],
    });
  });

  it("restores every renamed value of a record", () => {
    const distinctValues = fc.uniqueArray(
      fc.string().filter((s) => !(HOSTILE_NAMES as readonly string[]).includes(s)),
      { minLength: 1, maxLength: HOSTILE_NAMES.length },
    );
    fc.assert(
      fc.property(distinctValues, (agents) => {
        const renames = hostileRenames({ user_agent: agents });
        for (const agent of agents) {
          const renamed = renameValues(makeRecord({ user_agent: agent }), renames);
          const finding = rareFinding(renamed.user_agent!, 1, 1);
          expect(inOriginalValues(finding, renames).values).toEqual([agent]);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe("renamingEffects", () => {
  const renames = hostileRenames({ user_agent: ["rare-bot/1"] });

  it.each(FIT_WAYS)("finds no effect on a detector counting in a Map, $name", ({ fit }) => {
    expect(renamingEffects({ detector: rareAgent, records, renames, fit })).toEqual({
      differences: [],
      prototypeAdded: [],
    });
  });

  it("lists the record a detector counting in a plain object judges differently once renamed", () => {
    const rare = records[3]!;
    expect(renamingEffects({ detector: plainObjectAgent, records, renames })).toEqual({
      differences: [
        {
          at: `test.log:${rare.line}`,
          expected: [withoutMessage(rareFinding("rare-bot/1", 1, 4))],
          found: [],
        },
      ],
      prototypeAdded: [],
    });
  });

  it("reports what a detector wrote into Object.prototype", () => {
    let added: string[] = [];
    try {
      const ipRenames = hostileRenames({ ip: ["10.0.0.2"] });
      added = renamingEffects({ detector: nestedObjectAgent, records, renames: ipRenames }).prototypeAdded;
    } finally {
      delete (Object.prototype as Record<string, unknown>)["rare-bot/1"];
    }
    expect(added).toEqual(["rare-bot/1"]);
  });

  it("refuses renames that match no value of the records", () => {
    const unmatched = hostileRenames({ user_agent: ["never-logged/0"] });
    expect(() => renamingEffects({ detector: rareAgent, records, renames: unmatched })).toThrow(
      "the renames match no value of the records",
    );
  });

  it("refuses renames of values no finding names, which would prove nothing", () => {
    const common = hostileRenames({ user_agent: ["curl/8"] });
    expect(() => renamingEffects({ detector: rareAgent, records, renames: common })).toThrow(
      "no finding of the fit on the original records names a renamed value",
    );
  });
});

describe("readRecords", () => {
  it("reads the records of several files in order", async () => {
    const first = writeLog("first.log", [LINE]);
    const second = writeLog("second.log", [LINE.replace("curl/8", "wget/1.21"), LINE]);
    const read = await readRecords({ files: [first, second], format: { name: "combined" } });
    expect(read.map((r) => [r.source, r.line, r.user_agent])).toEqual([
      [first, 1, "curl/8"],
      [second, 1, "wget/1.21"],
      [second, 2, "curl/8"],
    ]);
  });

  it("fails on the first rejected line, naming its file, line and the reason", async () => {
    const file = writeLog("bad.log", [LINE, "not a log line", "neither is this"]);
    await expect(readRecords({ files: [file], format: { name: "combined" } })).rejects.toThrow(
      `${file}:2: expected the user (usually -), a space and a [timestamp] at column 7`,
    );
  });
});
