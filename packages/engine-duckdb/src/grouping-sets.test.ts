import { DuckDBInstance } from "@duckdb/node-api";
import { binMinimum, binMultiplier, type CountQuery } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { GROUPINGS_PER_SCAN, groupedRows, type Grouping } from "./grouping-sets.js";

// A `parsed` table as the split gives it, with nulls, a repeated value and sizes for the bins.
const ROWS: Array<[string | null, number | null, number | null, string | null]> = [
  ["10.0.0.1", 200, 512, "/a?x=1"],
  ["10.0.0.1", 200, 512, "/a?x=2"],
  ["10.0.0.1", 404, 0, "/b"],
  ["10.0.0.2", 200, null, null],
  [null, null, 3000, "/a?x=1"],
  ["10.0.0.2", 500, -7, "/c"],
  ["10.0.0.3", 200, 512, ""],
];

const bin = { field: "size", relativeAccuracy: 0.01 } as CountQuery["bin"];
const GROUPINGS: Grouping[] = [
  { fields: ["ip"], representatives: [] },
  { fields: ["ip", "status"], representatives: ["path"] },
  { fields: ["status"], bin, representatives: [] },
  { fields: [], representatives: [] },
  // The same fields as the second, without representatives: it gets the same groups.
  { fields: ["ip", "status"], representatives: [] },
];

// What a GROUP BY of one grouping alone gives, in the layout `split` promises.
function alone(grouping: Grouping): string {
  const keys = grouping.fields.map((f, i) => `"${f}" AS k${i}`);
  if (grouping.bin !== undefined) {
    const min = binMinimum(0.01);
    const mult = binMultiplier(0.01);
    keys.push(
      `CASE WHEN size IS NULL THEN NULL WHEN size > ${min} THEN 1 WHEN size < -${min} THEN -1 ELSE 0 END`,
      `CASE WHEN size > ${min} THEN ceil(log2(size) * ${mult}) WHEN size < -${min} THEN ceil(log2(-size) * ${mult}) ELSE 0 END`,
    );
  }
  const reps = grouping.representatives.map((f) => `min("${f}")`);
  const group = keys.length === 0 ? "" : ` GROUP BY ${keys.map((_, i) => i + 1).join(", ")}`;
  return `SELECT ${[...keys, ...reps, "CAST(count(*) AS DOUBLE)"].join(", ")} FROM parsed WHERE plain${group}`;
}

describe("groupingSets", () => {
  it("gives each grouping the rows a GROUP BY of it alone gives, across scans", async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const connection = await instance.connect();
    try {
      await connection.run(
        `CREATE TABLE parsed (plain BOOLEAN, ip VARCHAR, status INTEGER, size DOUBLE, path VARCHAR)`,
      );
      const values = ROWS.map(
        (row) =>
          `(true, ${row.map((v) => (v === null ? "NULL" : typeof v === "string" ? `'${v}'` : v)).join(", ")})`,
      );
      // A line the split did not read counts in no grouping.
      values.push(`(false, '10.0.0.1', 200, 512, '/a')`);
      await connection.run(`INSERT INTO parsed VALUES ${values.join(", ")}`);
      // More groupings than one scan holds: they are split among scans.
      expect(GROUPINGS.length).toBeGreaterThan(GROUPINGS_PER_SCAN);
      const got = await groupedRows({ connection, groupings: GROUPINGS, joined: new Map(), tag: "t" });
      const order = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
      for (const [i, grouping] of GROUPINGS.entries()) {
        const want = (await connection.runAndReadAll(alone(grouping))).getRowsJS() as unknown[][];
        const numeric = want.map((row) => row.map((v) => (typeof v === "bigint" ? Number(v) : v)));
        expect(order(got[i]!), `grouping ${i}`).toEqual(order(numeric));
      }
      expect(got[2]!.length).toBeGreaterThan(3);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
