import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { conditional } from "@oddity/detector-conditional";
import { InputError, createPipeline, fitBatches, readInputs, type RecordBatch } from "@oddity/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withoutSources } from "../test/pipelines.js";
import { startCluster, type Cluster } from "../test/cluster.js";
import { chString, readClickHouse } from "./index.js";

const FIXTURES = path.join(import.meta.dirname, "../test/fixtures");
// Names holding every character that ends an identifier or a literal, and a terminal escape.
const TABLE = "raw`; DROP TABLE x; -- 'q' \\ \"d\" \u001b[31m";
const COLUMN = "entry' \\` \"; DROP";
// Lines a log may carry; each must come back to the parser byte for byte.
const HOSTILE = [
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /it's'; DROP TABLE x; -- HTTP/1.1" 200 5 "-" "back\\\\slash \\"q\\""`,
  `1.2.3.4 - - [16/Apr/2019:19:34:43 +0000] "GET /\u001b[2J\u001b]0;pwned\u0007 HTTP/1.1" 404 - "-" "\u001b[31mred"`,
  "\u0000 not a log line \\' \\",
  `1.2.3.4 - - [16/Apr/2019:19:34:44 +0000] "GET /\\N HTTP/1.1" 200 5 "-" "tab\there\rcr \\N \\t"`,
];

let cluster: Cluster;
const clients: ClickHouseClient[] = [];
let lines: string[];
let url: string;

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.http) clients.push(createClient({ url: `http://127.0.0.1:${port}` }));
  await cluster.createDistributedTable({
    name: TABLE,
    local: "raw_local",
    columns: { n: "UInt64", [COLUMN]: "Nullable(String)", other: "UInt8" },
    key: "n",
  });
  const text = [
    gunzipSync(readFileSync(path.join(FIXTURES, "sample.log.gz"))).toString("utf8"),
    readFileSync(path.join(FIXTURES, "tricky.log"), "utf8"),
  ].join("");
  lines = [...text.replace(/\n$/, "").split("\n"), ...HOSTILE, ""];
  // Inserted as literals oddity escapes, so the hostile lines also test chString on the way in.
  await cluster.insertValues({
    table: TABLE,
    columns: ["n", COLUMN, "other"],
    values: lines.map((line, n) => `(${n + 1}, ${chString(line)}, 0)`),
  });
  url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

async function collect(stream: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const batch of stream) batches.push(batch);
  return batches;
}

const textOf = (all: string[]) => Readable.from([`${all.join("\n")}\n`]);

const pipeline = () => createPipeline({ detectors: [{ use: "conditional", definition: conditional }] });

describe("readClickHouse on a raw-line column of a 2-shard cluster", () => {
  it("returns every row once, in key order, with the line the parser saw", async () => {
    const stream = readClickHouse({ url, table: TABLE, column: COLUMN, primaryKey: "n", batchSize: 1000 });
    const batches = await collect(stream);
    const records = batches.flatMap((b) => b.records);
    expect(stream.stats.read).toBe(lines.length);
    expect(stream.stats.parsed + stream.stats.rejected + stream.stats.blank).toBe(lines.length);
    for (const record of records) {
      expect(record.raw).toBe(lines[record.line - 1]);
      expect(record.extra?.primary_key).toBe(String(record.line));
    }
    expect(records.map((r) => r.raw)).toContain(HOSTILE[0]);
    expect(records.map((r) => r.raw)).toContain(HOSTILE[1]);
    expect(records.map((r) => r.raw)).toContain(HOSTILE[3]);
    expect(batches.flatMap((b) => b.rejections).map((r) => r.line)).toContain(lines.indexOf(HOSTILE[2]!) + 1);
    expect(stream.format).toBe("combined, auto-detected");
  });

  it("fits the model oddity fits on the same lines, but for sources", async () => {
    const fromTable = await fitBatches({
      pipeline: pipeline(),
      batches: readClickHouse({ url, table: TABLE, column: COLUMN }),
    });
    const fromText = await fitBatches({
      pipeline: pipeline(),
      batches: readInputs({ inputs: [{ name: "lines", stream: textOf(lines) }] }),
    });
    expect(fromTable.stats).toMatchObject({
      read: fromText.stats.read,
      parsed: fromText.stats.parsed,
      rejected: fromText.stats.rejected,
      blank: fromText.stats.blank,
    });
    expect(withoutSources(fromTable.model)).toEqual(withoutSources(fromText.model));
  });

  it("reads columns named like the aliases a query might use, line and key swapped", async () => {
    await clients[1]!.command({
      query: "CREATE TABLE default.swap (line UInt64, key String) ENGINE = MergeTree ORDER BY line",
    });
    await clients[1]!.command({
      query: `INSERT INTO default.swap VALUES (2, ${chString(lines[1]!)}), (1, ${chString(lines[0]!)})`,
    });
    const second = `clickhouse://default@127.0.0.1:${cluster.http[1]}/default`;
    const batches = await collect(
      readClickHouse({ url: second, table: "swap", column: "key", primaryKey: "line" }),
    );
    expect(batches.flatMap((b) => b.records).map((r) => [r.line, r.raw, r.extra?.primary_key])).toEqual([
      [1, lines[0], "1"],
      [2, lines[1], "2"],
    ]);
  });

  it("names the columns there are when the column is not there", async () => {
    const stream = readClickHouse({ url, table: TABLE, column: "missing'`" });
    await expect(collect(stream)).rejects.toThrow(
      new InputError(
        `${url}#${TABLE}: no column "missing'\`" (columns: "n", ${JSON.stringify(COLUMN)}, "other")`,
      ),
    );
  });

  it("refuses a column that does not hold text", async () => {
    await expect(collect(readClickHouse({ url, table: TABLE, column: "other" }))).rejects.toThrow(
      /column "other" is UInt8, not a text column of raw log lines/,
    );
  });

  it("names the tables there are when the table is not there", async () => {
    await expect(collect(readClickHouse({ url, table: "nope\u001b[0m", column: COLUMN }))).rejects.toThrow(
      `${url}: no table "nope\\u001b[0m" (tables: "raw_local", ${JSON.stringify(TABLE)})`,
    );
  });

  it("stops at the first rejected line when strict, naming it", async () => {
    const batches = await collect(readClickHouse({ url, table: TABLE, column: COLUMN, primaryKey: "n" }));
    const first = batches.flatMap((b) => b.rejections)[0]!;
    const stream = readClickHouse({ url, table: TABLE, column: COLUMN, primaryKey: "n", strict: true });
    await expect(collect(stream)).rejects.toThrow(
      new InputError(`${url}#${TABLE}:${first.line}: ${first.reason}`),
    );
  });
});
