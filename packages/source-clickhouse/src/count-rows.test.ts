import type { CountQuery } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { countRowOf, countTable } from "./count-rows.js";

const BY_AGENT_AND_SIZE: CountQuery = {
  key: "q",
  fields: ["user_agent", "status"],
  bin: { field: "size", relativeAccuracy: 0.01 },
};

describe("TabSeparated count rows", () => {
  it("reads escaped tabs, newlines and backslashes, \\N as NULL and an empty cell as the empty string", () => {
    const rows = [
      ["tab\\there\\nand\\\\N", "200", "1", "12", "7"],
      ["\\N", "\\N", "\\N", "0", "2"],
      ["", "404", "-1", "3", "1"],
    ].map((cells) => countRowOf({ query: BY_AGENT_AND_SIZE, cells, at: 0 }));
    expect(rows).toEqual([
      { values: ["tab\there\nand\\N", 200], bin: { sign: 1, key: 12 }, count: 7 },
      { values: [null, null], bin: null, count: 2 },
      { values: ["", 404], bin: { sign: -1, key: 3 }, count: 1 },
    ]);
  });

  it("reads the cells after the query index when the row starts with one", () => {
    const query: CountQuery = { key: "q", fields: ["method"] };
    expect(countRowOf({ query, cells: ["3", "GET", "\\N", "\\N", "41"], at: 1 })).toEqual({
      values: ["GET"],
      count: 41,
    });
  });

  it("reads TabSeparated's infinities and NaN as numbers", () => {
    const query: CountQuery = { key: "q", fields: ["size", "time"] };
    expect(countRowOf({ query, cells: ["-inf", "nan", "1"], at: 0 }).values).toEqual([-Infinity, NaN]);
    expect(countRowOf({ query, cells: ["inf", "1.5e-310", "1"], at: 0 }).values).toEqual([
      Infinity,
      1.5e-310,
    ]);
  });

  it("merges rows whose bytes read as the same text, as oddity counts a log file's lines", () => {
    const table = countTable();
    const query: CountQuery = { key: "q", fields: ["path"] };
    // /a\xff and /a\xfe both read as "/a\uFFFD"; "/b" stays its own row.
    table.add(countRowOf({ query, cells: ["/a\uFFFD", "2"], at: 0 }), "/a\uFFFD\t2");
    table.add(countRowOf({ query, cells: ["/b", "1"], at: 0 }), "/b\t1");
    table.add(countRowOf({ query, cells: ["/a\uFFFD", "5"], at: 0 }), "/a\uFFFD\t5");
    expect(table.rows()).toEqual([
      { values: ["/b"], count: 1 },
      { values: ["/a\uFFFD"], count: 7 },
    ]);
  });
});
