import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { client as clientDetector } from "@oddity/detector-client";
import { conditional } from "@oddity/detector-conditional";
import { params } from "@oddity/detector-params";
import { rarity } from "@oddity/detector-rarity";
import { size } from "@oddity/detector-size";
import { targets } from "@oddity/detector-targets";
import {
  MAPPABLE_FIELDS,
  createPipeline,
  fitBatches,
  fieldReader,
  planCounts,
  readInputs,
  type CountQuery,
  type CountResults,
  type LogRecord,
  type RawCountRow,
} from "@oddity/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_LOGS, withoutSources } from "../test/pipelines.js";
import { countingProxy, recordColumns, startCluster, type Cluster } from "../test/cluster.js";
import { countRowOf, countTable, fieldValue, selectTsv } from "./count-rows.js";
import {
  TABLE_FIELDS,
  chBytes,
  chNumber,
  chString,
  connectClickHouse,
  countInClickHouse,
  countQuerySql,
  fitInClickHouse,
  parseClickHouseUrl,
  readClickHouse,
} from "./index.js";

// A table name holding every character that ends an identifier or a literal.
const HOSTILE_TABLE = "logs`; DROP TABLE x; -- 'q' \\ \"d\"";
const WIDE = {
  pairs: [
    { given: "ip", target: "status" },
    { given: "path_template", target: "method" },
    { given: "hour", target: "user_agent" },
    { given: "referer", target: "size" },
  ],
};

let cluster: Cluster;
const clients: ClickHouseClient[] = [];
let records: LogRecord[];

function pipeline() {
  return createPipeline({ detectors: [{ use: "conditional", definition: conditional, options: WIDE }] });
}

// The detectors of the default pipeline, whose counts group by `path_template` and `query`, and a pair
// given `endpoint`.
function defaults() {
  return createPipeline({
    detectors: [
      { use: "rarity", definition: rarity },
      { use: "conditional", definition: conditional },
      { use: "size", definition: size, options: { groupBy: ["path_template", "status"] } },
      { use: "params", definition: params },
      { use: "client", definition: clientDetector },
      { use: "client", id: "client-by-agent", definition: clientDetector, options: { key: "user_agent" } },
      { use: "targets", definition: targets },
      {
        use: "conditional",
        id: "by-endpoint",
        definition: conditional,
        options: { pairs: [{ given: "endpoint", target: "method" }] },
      },
    ],
  });
}

// Paths holding what ends a literal, and none: the cluster maps them to templates from escaped literals.
const HOSTILE_PATHS = [
  "/it's/1?a='b'&c=1",
  "/back\\slash/22?x=\\'",
  "/nul\u0000byte/3?q=\u0000",
  "/日本/4?ü=✓",
  "/'; DROP TABLE x; --/5",
  null,
  "",
];

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.http) clients.push(createClient({ url: `http://127.0.0.1:${port}` }));
  await cluster.createDistributedTable({
    name: HOSTILE_TABLE,
    local: "logs_local",
    columns: { ...recordColumns(TABLE_FIELDS), n: "UInt64" },
    key: "n",
  });
  records = [];
  for await (const batch of readInputs({ inputs: FIXTURE_LOGS, format: { name: "combined" } }))
    records.push(...batch.records);
  const first = records[0]!;
  records.push(...HOSTILE_PATHS.map((path, i) => ({ ...first, path, line: records.length + i + 1 })));
  await cluster.insertRows({
    table: HOSTILE_TABLE,
    rows: records.map((r, n) => ({ ...Object.fromEntries(TABLE_FIELDS.map((f) => [f, r[f]])), n })),
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

/** A count table's rows in an order of their own: the server's order is not the rows' meaning. */
function ordered(table: readonly RawCountRow[]): string[] {
  return table.map((r) => JSON.stringify(r)).sort();
}

describe("a 2-shard ClickHouse cluster", () => {
  it("holds part of the records on each shard", async () => {
    const counts = await Promise.all(
      clients.map(async (c) => {
        const result = await c.query({
          query: "SELECT count() AS n FROM default.logs_local",
          format: "JSONEachRow",
        });
        return Number((await result.json<{ n: string }>())[0]!.n);
      }),
    );
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(counts[0]! + counts[1]!).toBe(records.length);
  });

  it("fits, by GROUP BY through the Distributed table, the model oddity fits on the same records", async () => {
    const { model, bytes } = await fitInClickHouse({
      pipeline: pipeline(),
      client: clients[0]!,
      database: "default",
      table: HOSTILE_TABLE,
      source: "clickhouse:default.logs",
    });
    const own = await fitBatches({
      pipeline: pipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    expect(withoutSources(model)).toEqual(withoutSources(own.model));
    expect(bytes).toBeGreaterThan(0);
  });

  it("fits the default pipeline's detectors grouping by templates in the cluster, as oddity fits them", async () => {
    const { model } = await fitInClickHouse({
      pipeline: defaults(),
      client: clients[0]!,
      database: "default",
      table: HOSTILE_TABLE,
      source: "clickhouse:default.logs",
    });
    const own = await fitBatches({
      pipeline: defaults(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    expect(withoutSources(model)).toEqual(withoutSources(own.model));
  });

  it("returns a count row per template, fewer than the distinct paths", async () => {
    const plan = planCounts(defaults(), "ClickHouse", { derive: MAPPABLE_FIELDS });
    const counts = await countInClickHouse({
      client: clients[0]!,
      database: "default",
      table: HOSTILE_TABLE,
      queries: plan.queries,
      derived: plan.derived,
    });
    const templates = counts.results.get(JSON.stringify([["path_template"], null, null]))!;
    const template = fieldReader("path_template");
    expect(new Set(templates.map((row) => row.values[0]))).toEqual(new Set(records.map(template)));
    // The sample's numbered paths collapse: 808 paths, 792 templates.
    expect(templates.length).toBeLessThan(new Set(records.map((r) => r.path)).size);
  });

  it("streams the records back, field for field, ordered by the key column", async () => {
    const url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
    const stream = readClickHouse({ url, table: HOSTILE_TABLE, primaryKey: "n", batchSize: 700 });
    const back: LogRecord[] = [];
    for await (const batch of stream) back.push(...batch.records);
    const fields = (r: LogRecord) => Object.fromEntries(TABLE_FIELDS.map((f) => [f, r[f]]));
    expect(back.map(fields)).toEqual(records.map(fields));
    expect(back.map((r) => [r.line, r.extra?.primary_key])).toEqual(
      records.map((_, n) => [n + 1, String(n)]),
    );
    expect(stream.stats).toMatchObject({ read: records.length, parsed: records.length, rejected: 0 });
  });

  it("reads back hostile string literals unchanged", async () => {
    const hostile = [
      "it's",
      "back\\slash",
      "\\'; DROP TABLE x; --",
      "nul\u0000byte",
      "tab\tnew\nline",
      "日本 ✓",
    ];
    const result = await clients[0]!.query({
      query: `SELECT [${hostile.map(chString).join(", ")}] AS v`,
      format: "JSONEachRow",
    });
    expect((await result.json<{ v: string[] }>())[0]!.v).toEqual(hostile);
  });

  it("reads back byte strings unchanged, those that are not UTF-8 too", async () => {
    const hexes = ["2f61ff62", "27fe5c00", "c327", "e697a5e69cac", "", "5c78ff"];
    const result = await clients[0]!.query({
      query: `SELECT [${hexes.map((h) => `hex(${chBytes(Buffer.from(h, "hex"))})`).join(", ")}] AS v`,
      format: "JSONEachRow",
    });
    expect((await result.json<{ v: string[] }>())[0]!.v).toEqual(hexes.map((h) => h.toUpperCase()));
  });

  it("reads back numbers unchanged, those below the smallest normal double too", async () => {
    const numbers = [1.135012422773875e-308, -5e-324, 2.2250738585072014e-308, 0.1, -1e300, 0];
    const result = await clients[0]!.query({
      query: `SELECT [${numbers.map(chNumber).join(", ")}] AS v`,
      format: "JSONEachRow",
    });
    expect((await result.json<{ v: number[] }>())[0]!.v).toEqual(numbers);
  });

  it("decodes TabSeparated count rows to the rows JSONEachRow gives, hostile values and bytes that are not UTF-8 too", async () => {
    const client = clients[0]!;
    await client.command({
      query:
        "CREATE TABLE default.hostile_values (user_agent Nullable(String), referer Nullable(String), size Nullable(Float64)) ENGINE = Memory",
    });
    const texts = ["tab\there", "new\nline", "back\\slash\\", "\\N", "", 'it\'s "q"', "nul\u0000", "日本 ✓"];
    const values = [
      ...texts.map(chString),
      "NULL",
      // Two byte strings that are not UTF-8 and read as different text.
      chBytes(Buffer.from("2f61ff62", "hex")),
      chBytes(Buffer.from("c327", "hex")),
    ];
    const sizes = ["0", "1.5", "NULL", "1e-310", "-3", "1e300"];
    const rows = values.flatMap((v, i) =>
      [0, 1, 2].map((j) => `(${v}, ${values[(i + j) % values.length]}, ${sizes[(i + j) % sizes.length]})`),
    );
    await client.command({ query: `INSERT INTO default.hostile_values VALUES ${rows.join(", ")}` });
    const queries: CountQuery[] = [
      { key: "a", fields: ["user_agent", "referer"], bin: { field: "size", relativeAccuracy: 0.01 } },
      { key: "b", fields: ["referer"] },
    ];
    for (const query of queries) {
      const sql = countQuerySql(query, "default.hostile_values");
      const json = await (
        await client.query({ query: sql, format: "JSONEachRow" })
      ).json<Record<string, unknown>>();
      // How the rows were read as JSON objects.
      const fromJson = json.map((row): RawCountRow => {
        const values = query.fields.map((f, i) => fieldValue(f, row[`k${i}`]));
        if (query.bin === undefined) return { values, count: Number(row.c) };
        const bin =
          row.bin_sign === null
            ? null
            : { sign: Number(row.bin_sign) as -1 | 0 | 1, key: Number(row.bin_key) };
        return { values, bin, count: Number(row.c) };
      });
      const table = countTable();
      await selectTsv({
        client,
        sql,
        onRow: (text, cells) => table.add(countRowOf({ query, cells, at: 0 }), text),
      });
      expect(ordered(table.rows())).toEqual(ordered(fromJson));
      expect(fromJson.length).toBeGreaterThan(values.length - 1);
    }
  });

  it("receives the count rows gzip-compressed: fewer bytes cross the wire than their text", async () => {
    const plan = planCounts(defaults(), "ClickHouse", { derive: MAPPABLE_FIELDS });
    const proxy = await countingProxy({ port: cluster.http[0]! });
    const through = async (url: string) => {
      // As oddity connects: a user who may change settings keeps the compression it asks for.
      const client = await connectClickHouse(parseClickHouseUrl({ url, env: {} }));
      try {
        const before = proxy.received();
        const counts = await countInClickHouse({
          client,
          database: "default",
          table: HOSTILE_TABLE,
          queries: plan.queries,
          derived: plan.derived,
        });
        return { wire: proxy.received() - before, text: counts.bytes, results: counts.results };
      } finally {
        await client.close();
      }
    };
    try {
      const url = `clickhouse://default@127.0.0.1:${proxy.port}/default`;
      const plain = await through(`${url}?compression=0`);
      const packed = await through(url);
      // Two GROUP BYs through a Distributed table need not give their rows in the same order.
      const byKey = (results: CountResults) => [...results].map(([key, rows]) => [key, ordered(rows)]).sort();
      expect(byKey(packed.results)).toEqual(byKey(plain.results));
      // Uncompressed, the wire carries the text and HTTP's headers besides.
      expect(plain.wire).toBeGreaterThan(plain.text);
      expect(packed.wire).toBeLessThan(plain.text / 2);
    } finally {
      await proxy.close();
    }
  });

  it("fits as a user with readonly=1, who may not ask for compression, uncompressed unless the URL insists", async () => {
    const plan = planCounts(pipeline(), "ClickHouse", { derive: MAPPABLE_FIELDS });
    const count = async (url: string) => {
      const client = await connectClickHouse(parseClickHouseUrl({ url, env: {} }));
      try {
        return await countInClickHouse({
          client,
          database: "default",
          table: HOSTILE_TABLE,
          queries: plan.queries,
          derived: plan.derived,
        });
      } finally {
        await client.close();
      }
    };
    const url = `clickhouse://reader@127.0.0.1:${cluster.http[0]}/default`;
    expect((await count(url)).records).toBe(records.length);
    await expect(count(`${url}?compression=1`)).rejects.toThrow(/enable_http_compression\) in readonly mode/);
    expect((await count(`${url}?compression=0`)).records).toBe(records.length);
  });
});
