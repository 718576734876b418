import { countQueryFor, countRecords, createRecord, type CountQuery, type CountResults } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { coveringQueries, covers, withRolledUp } from "./rollup.js";

const q = (fields: string[], bin?: { field: string; relativeAccuracy: number }): CountQuery =>
  countQueryFor({ id: "x", fields, ...(bin === undefined ? {} : { bin }) });

// Values that a careless key would confuse: null and "-", 1 and "1", "a:b" split differently.
const RECORDS = [
  { ip: "1.1.1.1", status: 200, method: "GET", path: "/a", size: 10 },
  { ip: "1.1.1.1", status: 404, method: "GET", path: "/b", size: null },
  { ip: "2.2.2.2", status: 200, method: null, path: "/a", size: 10 },
  { ip: "2.2.2.2", status: null, method: "-", path: "1:a", size: 0 },
  { ip: "3:1", status: 200, method: "1", path: ":a", size: 1e6 },
  { ip: "3", status: 200, method: "1", path: "1:a", size: 1e6 },
].map((r, i) => createRecord({ ...r, source: "t", line: i + 1, raw: "" }));

function normalized(results: CountResults, queries: readonly CountQuery[]) {
  return queries.map((query) =>
    (results.get(query.key) ?? [])
      .map((row) => JSON.stringify([row.values, row.bin ?? null, row.count]))
      .sort(),
  );
}

describe("rolling narrow counts up from wider ones", () => {
  it("runs only the queries nothing else covers, the first of equal ones", () => {
    const queries = [
      q(["ip"]),
      q(["ip", "status"]),
      q(["status", "ip"]),
      q(["status"], { field: "size", relativeAccuracy: 0.01 }),
      q(["status", "path"], { field: "size", relativeAccuracy: 0.01 }),
      q(["path", "status"], { field: "size", relativeAccuracy: 0.02 }),
      q(["size"]),
      q([]),
    ];
    expect(coveringQueries(queries).map((x) => x.key)).toEqual(
      [queries[4]!, queries[5]!, queries[1]!, queries[6]!].map((x) => x.key),
    );
    expect(covers(q(["size"]), q([], { field: "size", relativeAccuracy: 0.01 }))).toBe(false);
    expect(covers(q(["path"], { field: "size", relativeAccuracy: 0.01 }), q(["path"]))).toBe(true);
  });

  it("gives every query the rows counting the records gives it", () => {
    const queries = [
      q(["ip"]),
      q(["status", "ip"]),
      q(["ip", "status", "method"]),
      q(["method"]),
      q(["path", "method", "ip"]),
      q(["status"], { field: "size", relativeAccuracy: 0.01 }),
      q(["status", "path"], { field: "size", relativeAccuracy: 0.01 }),
      q([]),
    ];
    const ran = countRecords(coveringQueries(queries), RECORDS);
    expect(ran.size).toBe(3);
    expect(normalized(withRolledUp({ queries, ran: new Map(ran) }), queries)).toEqual(
      normalized(countRecords(queries, RECORDS), queries),
    );
  });
});
