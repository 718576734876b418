import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { isUserError, type Finding, type ScoredRecord } from "@oddity/core";
import { makeRecord } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { tempFolders } from "../testing/temp-folders.js";
import { AnomalySpool, readSpool, spoolMemoryLimit, SPOOL_MEMORY_LIMIT } from "./spool.js";

const folder = tempFolders("oddity-spool-test-");

function finding(n: number): Finding {
  return {
    detector: "size",
    kind: "high",
    fields: ["size", "path_template"],
    values: [String(n), "/files/:n"],
    probability: 1 / (n + 2),
    surprisal: Math.log2(n + 2),
    threshold: { name: "upper_fence", direction: "above", value: Number.POSITIVE_INFINITY },
    counts: { group_count: n, tail_count: 0 },
    message: `size ${n} bytes\u001b[2J for "/files/${n}"`,
    // Numbers JSON would lose: a spooled anomaly must print exactly as the one in memory.
    statistics: { median: Number.NaN, z: Number.NEGATIVE_INFINITY, mad: -0 },
  };
}

function anomaly(n: number): ScoredRecord {
  const extra = Object.create(null) as Record<string, string>;
  extra.__proto__ = `value ${n}`;
  const record = { ...makeRecord({ source: `logs/${n % 3}.log`, line: n + 1, size: n }), extra };
  return { record, score: n / 7, findings: [finding(n)] };
}

const anomalies = Array.from({ length: 25 }, (_, n) => anomaly(n));

function readAll(spool: AnomalySpool, lineOffset = 0): ScoredRecord[] {
  const reader = readSpool(spool.seal());
  try {
    return Array.from({ length: reader.size }, (_, i) => reader.get(i, lineOffset));
  } finally {
    reader.close();
  }
}

describe("AnomalySpool", () => {
  it("holds anomalies up to its limit in memory, without a file", () => {
    const dir = folder();
    const spool = new AnomalySpool({ dir: () => dir, memoryLimit: 25 });
    for (const a of anomalies) spool.add(a);
    const handle = spool.seal();
    expect([handle.kind, readdirSync(dir)]).toEqual(["memory", []]);
  });

  it("past its limit, reads every anomaly back from its file equal to what was added, in order", () => {
    const dir = folder();
    const spool = new AnomalySpool({ dir: () => dir, memoryLimit: 4 });
    for (const a of anomalies) spool.add(a);
    expect(readdirSync(dir)).toHaveLength(1);
    const back = readAll(spool);
    expect(back).toEqual(anomalies);
    // Extras stay null-prototype objects, so a key named __proto__ is data, as parsers make it.
    expect(Object.getPrototypeOf(back[3]!.record.extra)).toBe(null);
    expect(Object.is(back[3]!.findings[0]!.statistics!.mad, -0)).toBe(true);
  });

  it("gives the ranking keys of a spooled anomaly without reading it", () => {
    const dir = folder();
    const spool = new AnomalySpool({ dir: () => dir, memoryLimit: 0 });
    for (const a of anomalies) spool.add(a);
    const reader = readSpool(spool.seal());
    const keys = Array.from({ length: reader.size }, (_, i) => [
      reader.score(i),
      reader.source(i),
      reader.line(i),
    ]);
    reader.close();
    expect(keys).toEqual(anomalies.map((a) => [a.score, a.record.source, a.record.line]));
  });

  it("adds a piece's line offset to the lines it reads back, in memory and from a file", () => {
    for (const memoryLimit of [100, 0]) {
      const dir = folder();
      const spool = new AnomalySpool({ dir: () => dir, memoryLimit });
      for (const a of anomalies) spool.add(a);
      expect(readAll(spool, 1000).map((a) => a.record.line)).toEqual(
        anomalies.map((a) => a.record.line + 1000),
      );
    }
  });

  it("deletes its file when its reader closes", () => {
    const dir = folder();
    const spool = new AnomalySpool({ dir: () => dir, memoryLimit: 1 });
    for (const a of anomalies) spool.add(a);
    readAll(spool);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("names the file it cannot create, as an error the user can fix", () => {
    const missing = path.join(folder(), "gone");
    const spool = new AnomalySpool({ dir: () => missing, memoryLimit: 1 });
    spool.add(anomalies[0]!);
    let error: unknown;
    try {
      spool.add(anomalies[1]!);
    } catch (caught) {
      error = caught;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^cannot keep the anomalies in ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/anomalies-.*\\.v8: `,
      ),
    );
    expect(existsSync(missing)).toBe(false);
  });
});

describe("spoolMemoryLimit", () => {
  it("reads ODDITY_SPOOL_MEMORY and falls back to the default for anything but a whole number", () => {
    expect([
      spoolMemoryLimit({ ODDITY_SPOOL_MEMORY: "12" }),
      spoolMemoryLimit({ ODDITY_SPOOL_MEMORY: "-1" }),
      spoolMemoryLimit({}),
    ]).toEqual([12, SPOOL_MEMORY_LIMIT, SPOOL_MEMORY_LIMIT]);
  });
});
