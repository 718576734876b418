import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { codedRows } from "./coded-rows.js";

// Text that a coding could lose: null against the empty string, line ends, tabs, quotes, non-ASCII.
const TEXTS = [null, "", "-", "a\nb", "tab\there", "quote ' and \" \\", "ünï©ødé 🦆", "=1+2"];

async function withConnection<T>(
  run: (connection: Awaited<ReturnType<DuckDBInstance["connect"]>>) => Promise<T>,
) {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const connection = await instance.connect();
  try {
    return await run(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("codedRows", () => {
  it("gives back every text value, null and empty apart, and every number of a query's rows", async () => {
    const got = await withConnection(async (connection) => {
      await connection.run(`CREATE TABLE t (a VARCHAR, b VARCHAR, n INTEGER, x DOUBLE)`);
      const appender = await connection.createAppender("t");
      TEXTS.forEach((a, i) => {
        TEXTS.forEach((b, j) => {
          if (a === null) appender.appendNull();
          else appender.appendVarchar(a);
          if (b === null) appender.appendNull();
          else appender.appendVarchar(b);
          if ((i + j) % 3 === 0) appender.appendNull();
          else appender.appendInteger(i * 10 + j);
          appender.appendDouble(i + j / 8);
          appender.endRow();
        });
      });
      appender.flushSync();
      appender.closeSync();
      const columns = await codedRows({
        connection,
        sql: "SELECT a, b, n, x FROM t",
        columns: [
          { name: "a", numeric: false },
          { name: "b", numeric: false },
          { name: "n", numeric: true },
          { name: "x", numeric: true },
        ],
        tag: "test",
      });
      const left = await connection.runAndReadAll(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'oddity_rows_%'",
      );
      return { columns, left: Number(left.getRows()[0]![0]) };
    });
    const rows = got.columns[0]!.map((_, r) => got.columns.map((column) => column[r]));
    const expected = TEXTS.flatMap((a, i) =>
      TEXTS.map((b, j) => [a, b, (i + j) % 3 === 0 ? null : i * 10 + j, i + j / 8]),
    );
    const order = (x: unknown[]) => JSON.stringify(x);
    expect(rows.map(order).sort()).toEqual(expected.map(order).sort());
    // Its temporary tables are dropped.
    expect(got.left).toBe(0);
  });
});
