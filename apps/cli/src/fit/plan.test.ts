import { describe, expect, it } from "vitest";
import { planShards } from "./plan.js";

const MB = 1024 * 1024;

describe("planShards", () => {
  it("gives whole files to workers in input order when there are enough of them", () => {
    const files = ["a", "b", "c", "d"].map((path) => ({ path, size: 10 * MB, splittable: true }));
    expect(planShards({ files, jobs: 2 })).toEqual([
      [{ path: "a" }, { path: "b" }],
      [{ path: "c" }, { path: "d" }],
    ]);
  });

  it("cuts one big plain file into byte ranges, one per worker", () => {
    expect(planShards({ files: [{ path: "big.log", size: 30 * MB, splittable: true }], jobs: 3 })).toEqual([
      [{ path: "big.log", start: 0, end: 10 * MB }],
      [{ path: "big.log", start: 10 * MB, end: 20 * MB }],
      [{ path: "big.log", start: 20 * MB, end: 30 * MB }],
    ]);
  });

  it("cuts the file where two jobs' equal stretches meet, so neither gets two files of three", () => {
    const files = ["a", "b", "c"].map((path) => ({ path, size: 10 * MB, splittable: true }));
    expect(planShards({ files, jobs: 2 })).toEqual([
      [{ path: "a" }, { path: "b", start: 0, end: 5 * MB }],
      [{ path: "b", start: 5 * MB, end: 10 * MB }, { path: "c" }],
    ]);
  });

  it("never cuts a gzip file, which cannot be read from the middle", () => {
    expect(
      planShards({ files: [{ path: "big.log.gz", size: 30 * MB, splittable: false }], jobs: 3 }),
    ).toEqual([[{ path: "big.log.gz" }]]);
  });

  it("does not cut a file into pieces smaller than the minimum", () => {
    expect(
      planShards({ files: [{ path: "small.log", size: 300 * 1024, splittable: true }], jobs: 4 }),
    ).toEqual([[{ path: "small.log" }]]);
  });

  it("covers every byte of every file exactly once", () => {
    const files = [
      { path: "a", size: 7 * MB + 3, splittable: true },
      { path: "b.gz", size: 2 * MB, splittable: false },
      { path: "c", size: 13 * MB + 11, splittable: true },
    ];
    const pieces = planShards({ files, jobs: 5 }).flat();
    const covered = files.map((file) =>
      pieces
        .filter((p) => p.path === file.path)
        .reduce((sum, p) => sum + ((p.end ?? file.size) - (p.start ?? 0)), 0),
    );
    expect(covered).toEqual(files.map((f) => f.size));
  });
});
