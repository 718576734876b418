import { existsSync, readdirSync } from "node:fs";
import { TopRecords, type ScoredRecord } from "@oddity/core";
import { makeRecord } from "@oddity/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tempFolders } from "../testing/temp-folders.js";
import { Ranking } from "./ranking.js";
import { AnomalySpool } from "./spool.js";

const folder = tempFolders("oddity-ranking-test-");

function anomaly({ score, source, line }: { score: number; source: string; line: number }): ScoredRecord {
  return { record: makeRecord({ source, line }), score, findings: [] };
}

const key = (a: ScoredRecord) => `${a.score} ${a.record.source}:${a.record.line}`;

// Anomalies of one thread, and pieces of a file scored by workers, with lines counted from the piece.
const runs = fc.record({
  here: fc.array(fc.record({ score: fc.integer({ min: 0, max: 5 }), line: fc.nat(50) }), { maxLength: 30 }),
  pieces: fc.array(
    fc.array(fc.record({ score: fc.integer({ min: 0, max: 5 }), line: fc.nat(50) }), { maxLength: 30 }),
    {
      maxLength: 4,
    },
  ),
  memoryLimit: fc.integer({ min: 0, max: 8 }),
});

describe("Ranking", () => {
  it("ranks what it holds on disk exactly as TopRecords ranks the same anomalies in memory", () => {
    fc.assert(
      fc.property(runs, ({ here, pieces, memoryLimit }) => {
        const dir = folder();
        const ranking = new Ranking({ limit: Number.POSITIVE_INFINITY, folder: () => dir, memoryLimit });
        const reference = new TopRecords();
        for (const a of here) {
          const scored = anomaly({ ...a, source: "a.log" });
          ranking.add(scored);
          reference.add(scored);
        }
        // Pieces are consecutive stretches of b.log: each one's lines continue the previous one's.
        let offset = 0;
        for (const piece of pieces) {
          const spool = new AnomalySpool({ dir: () => dir, memoryLimit });
          for (const a of piece) {
            spool.add(anomaly({ ...a, source: "b.log" }));
            reference.add(anomaly({ ...a, line: a.line + offset, source: "b.log" }));
          }
          ranking.adopt(spool.seal(), offset);
          offset += 51;
        }
        const expected = reference.ranked().map(key);
        expect([...ranking.ranked()].map(key)).toEqual(expected);
        expect(ranking.size).toBe(expected.length);
        ranking.close();
        expect(readdirSync(dir)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("with a limit, keeps only the best anomalies of this thread and of adopted pieces", () => {
    const dir = folder();
    const ranking = new Ranking({ limit: 2, folder: () => dir, memoryLimit: 0 });
    ranking.add(anomaly({ score: 3, source: "a.log", line: 1 }));
    const spool = new AnomalySpool({ dir: () => dir, memoryLimit: 0 });
    spool.add(anomaly({ score: 9, source: "a.log", line: 1 }));
    spool.add(anomaly({ score: 1, source: "a.log", line: 2 }));
    ranking.adopt(spool.seal(), 10);
    expect([...ranking.ranked()].map(key)).toEqual(["9 a.log:11", "3 a.log:1"]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reads the same ranking twice (the report and the printed list)", () => {
    const dir = folder();
    const ranking = new Ranking({ limit: Number.POSITIVE_INFINITY, folder: () => dir, memoryLimit: 1 });
    for (let line = 1; line <= 5; line++) ranking.add(anomaly({ score: line % 2, source: "a.log", line }));
    const first = [...ranking.ranked()].map(key);
    expect([...ranking.ranked()].map(key)).toEqual(first);
    expect(first).toEqual(["1 a.log:1", "1 a.log:3", "1 a.log:5", "0 a.log:2", "0 a.log:4"]);
    ranking.close();
  });
});

describe("Ranking.workerSpool", () => {
  it("shares the in-memory limit among the workers of a pass, in the ranking's folder", () => {
    const dir = folder();
    const ranking = new Ranking({ limit: Number.POSITIVE_INFINITY, folder: () => dir, memoryLimit: 16_384 });
    expect([1, 2, 3].map((workers) => ranking.workerSpool(workers))).toEqual([
      { folder: dir, memoryLimit: 16_384 },
      { folder: dir, memoryLimit: 8192 },
      { folder: dir, memoryLimit: 5462 },
    ]);
  });
});

describe("Ranking.close", () => {
  it("deletes what was spooled even when the ranking was never read (a run that failed)", () => {
    const dir = folder();
    const ranking = new Ranking({ limit: Number.POSITIVE_INFINITY, folder: () => dir, memoryLimit: 0 });
    const spool = new AnomalySpool({ dir: () => dir, memoryLimit: 0 });
    spool.add(anomaly({ score: 1, source: "b.log", line: 1 }));
    ranking.adopt(spool.seal(), 0);
    ranking.add(anomaly({ score: 2, source: "a.log", line: 1 }));
    expect(readdirSync(dir)).toHaveLength(2);
    ranking.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("removes the temp folder it created for its spool and its workers'", () => {
    const ranking = new Ranking({ limit: Number.POSITIVE_INFINITY, memoryLimit: 0 });
    const { folder: created } = ranking.workerSpool(2);
    ranking.add(anomaly({ score: 1, source: "a.log", line: 1 }));
    expect(readdirSync(created)).toHaveLength(1);
    ranking.close();
    expect(existsSync(created)).toBe(false);
  });
});
