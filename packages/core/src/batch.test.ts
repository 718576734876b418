import { describe, expect, it } from "vitest";
import { addBatch, addUnscored, emptyStats, rejectionClass } from "./batch.js";

describe("rejection classes", () => {
  it("writes the column of a reason as column N and keeps the rest as it is", () => {
    expect(
      rejectionClass(
        "expected a timestamp like [10/Oct/2000:13:55:36 -0700] at column 12 (opened at column 3)",
      ),
    ).toBe("expected a timestamp like [10/Oct/2000:13:55:36 -0700] at column N (opened at column N)");
  });

  it("counts rejections per class and records per layout across batches", () => {
    const stats = emptyStats();
    const rejection = (line: number, reason: string) => ({ source: "a", line, reason, excerpt: "" });
    addBatch(stats, {
      records: [],
      rejections: [rejection(1, "expected a status at column 40"), rejection(2, "bad")],
      blank: 0,
      read: 2,
      layouts: { combined: 3 },
    });
    addBatch(stats, {
      records: [],
      rejections: [rejection(3, "expected a status at column 41")],
      blank: 0,
      read: 1,
      layouts: { combined: 1, common: 2 },
    });
    expect([stats.rejectedBy, stats.layouts]).toEqual([
      { "expected a status at column N": 2, bad: 1 },
      { combined: 4, common: 2 },
    ]);
  });
});

describe("addUnscored", () => {
  it("counts the records an engine kept as read, parsed and unscored, under their layout when given", () => {
    const stats = { ...emptyStats(), read: 10, parsed: 9, rejected: 1, layouts: { combined: 9 } };
    addUnscored(stats, { records: 5, layout: "combined" });
    addUnscored(stats, { records: 2 });
    addUnscored(stats, { records: 0, layout: "common" });
    expect(stats).toEqual({
      ...emptyStats(),
      read: 17,
      parsed: 16,
      rejected: 1,
      layouts: { combined: 14 },
      unscored: 7,
    });
  });
});
