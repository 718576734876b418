import { describe, expect, it } from "vitest";
import { coverings, project } from "./coverings.js";

const ip = { sql: "ip" };
const status = { sql: "status" };
const template = { derived: "path_template" };

describe("coverings", () => {
  it("takes a grouping's rows from one whose keys and least values hold its own, in that grouping's places", () => {
    const groupings = [
      { keys: [status], least: ["path"] },
      { keys: [ip, template, status], least: ["path"] },
      { keys: [ip, template, status], least: ["path"] },
      { keys: [ip, status] },
      { keys: [template], least: ["size"] },
    ];
    expect(coverings(groupings)).toEqual([
      { root: 1, keyAt: [2], leastAt: [0] },
      { root: 1, keyAt: [0, 1, 2], leastAt: [0] },
      // Of two alike, the first is scanned and the second projected from it.
      { root: 1, keyAt: [0, 1, 2], leastAt: [0] },
      { root: 1, keyAt: [0, 2], leastAt: [] },
      // A least value no other grouping keeps: scanned on its own.
      { root: 4, keyAt: [0], leastAt: [0] },
    ]);
  });
});

describe("project", () => {
  it("merges the rows that agree on the kept keys, keeping each group's least value and skipping NULL", () => {
    const rows = [
      ["10.0.0.1", "200", "/b"],
      ["10.0.0.2", "200", "/a"],
      ["10.0.0.3", "200", null],
      ["10.0.0.1", "404", null],
      [null, "404", "/c"],
    ];
    expect(project({ rows, width: 2, keyAt: [1], leastAt: [0] })).toEqual([
      ["200", "/a"],
      ["404", "/c"],
    ]);
    expect(project({ rows, width: 2, keyAt: [0], leastAt: [] })).toEqual([
      ["10.0.0.1"],
      ["10.0.0.2"],
      ["10.0.0.3"],
      [null],
    ]);
  });
});
