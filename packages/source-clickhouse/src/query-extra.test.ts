import { createClient, type ClickHouseClient } from "@clickhouse/client";
import {
  InputError,
  createPipeline,
  fitBatches,
  readInputs,
  type LogRecord,
  type Pipeline,
  type RecordBatch,
} from "@oddity/core";
import { conditional } from "@oddity/detector-conditional";
import { rarity } from "@oddity/detector-rarity";
import { size } from "@oddity/detector-size";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../test/cluster.js";
import { anomalies, EXTRA, HOSTS, hostOf, expectKeyCounts, recordFields } from "../test/extras.js";
import { collectRecords, FIXTURE_LOGS, withoutSources } from "../test/pipelines.js";
import {
  chIdentifier,
  countInClickHouse,
  fitInClickHouse,
  readClickHouse,
  readClickHouseCandidates,
} from "./index.js";

const COLUMNS = {
  n: "UInt64",
  client: "String",
  verb: "Nullable(String)",
  target: "Nullable(String)",
  code: "Nullable(UInt16)",
  bytes: "Nullable(UInt64)",
  agent: "Nullable(String)",
  host: "Nullable(String)",
  took: "UInt32",
};
const QUERY = `SELECT client AS ip, verb AS method, target AS path, code AS status, bytes, agent AS user_agent,
  host AS ${chIdentifier(EXTRA)}, took AS Took, NULL AS nothing, n
FROM default.extras -- every request;`;

let cluster: Cluster;
let client: ClickHouseClient;
let url: string;
// The rows as records, their extras as source-sql maps a row's columns: each column that is not a record
// field under its own name, its text, NULL left out; the key in `primary_key`.
let records: LogRecord[];

// Conditional pairs given the extra, of it given a derived field, rarity of it beside the others, and
// sizes of a numeric extra (core bins its text in Node) per value of the hostile one.
function extraPipeline(): Pipeline {
  return createPipeline({
    detectors: [
      {
        use: "rarity",
        definition: rarity,
        options: { fields: ["path", EXTRA, "user_agent", "Took"] },
      },
      {
        use: "conditional",
        definition: conditional,
        options: {
          pairs: [
            { given: EXTRA, target: "path" },
            { given: "path_template", target: EXTRA },
            { given: EXTRA, target: "status" },
          ],
        },
      },
      { use: "size", definition: size, options: { field: "Took", groupBy: [EXTRA], minGroupSize: 2 } },
    ],
  });
}

beforeAll(async () => {
  cluster = await startCluster();
  client = createClient({ url: `http://127.0.0.1:${cluster.http[0]}` });
  await cluster.createDistributedTable({ name: "extras", columns: COLUMNS, key: "n" });
  const read: LogRecord[] = [];
  for await (const batch of readInputs({ inputs: FIXTURE_LOGS, format: { name: "combined" } }))
    read.push(...batch.records);
  records = read.map((r, n) => {
    const extra: Record<string, string> = Object.create(null) as Record<string, string>;
    const host = hostOf(n, r.status);
    if (host !== null) extra[EXTRA] = host;
    extra.Took = String(n % 5);
    extra.primary_key = String(n);
    // Fields the query does not give are absent.
    return {
      ...r,
      ident: null,
      user: null,
      time: null,
      time_text: null,
      http_version: null,
      referer: null,
      extra,
    };
  });
  await cluster.insertRows({
    table: "extras",
    rows: read.map((r, n) => ({
      n,
      client: r.ip,
      verb: r.method,
      target: r.path,
      code: r.status,
      bytes: r.size,
      agent: r.user_agent,
      host: hostOf(n, r.status),
      took: n % 5,
    })),
  });
  url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
}, 180_000);

afterAll(async () => {
  await client?.close();
  await cluster?.stop();
});

describe("a --query's extra columns on a 2-shard ClickHouse cluster", () => {
  it("streams each column that is not a record field as an extra of its name, NULL left out", async () => {
    const stream = readClickHouse({ url, query: QUERY, primaryKey: "n", batchSize: 700 });
    const back = await collectRecords(stream);
    expect(stream.format).toBe(
      `clickhouse columns (ip, method, path, status, size, user_agent, extra ${JSON.stringify(EXTRA)}, extra "Took", extra "nothing")`,
    );
    expect(back.map(recordFields)).toEqual(records.map(recordFields));
    expect(back.filter((r) => r.extra?.[EXTRA] === "").length).toBeGreaterThan(0);
    expect(back.filter((r) => r.extra !== null && !(EXTRA in r.extra)).length).toBeGreaterThan(0);
  });

  it("reads no extra a field of the record shadows, but one named like it in another letter case", async () => {
    const query = "SELECT client AS ip, verb AS hour, agent AS RAW, target AS Source FROM default.extras";
    const back = await collectRecords(readClickHouse({ url, query }));
    const extras = (rs: LogRecord[]) => rs.map((r) => JSON.stringify(r.extra)).sort();
    expect(extras(back)).toEqual(
      extras(records.map((r) => ({ ...r, extra: r.path === null ? null : { Source: r.path } }))),
    );
  });

  it("shows the extras in a record's raw JSON, as its fields", async () => {
    const [first] = await collectRecords(
      readClickHouse({ url, query: `${QUERY.replace(/ --.*$/, "")} ORDER BY n LIMIT 1` }),
    );
    const host = hostOf(0, records[0]!.status);
    expect(JSON.parse(first!.raw)).toMatchObject({
      [EXTRA]: host,
      Took: "0",
      nothing: null,
      path: records[0]!.path,
    });
  });

  it("fits a pipeline over the extra in the cluster, the model fitting the records gives", async () => {
    const { model } = await fitInClickHouse({
      pipeline: extraPipeline(),
      client,
      database: "default",
      query: QUERY,
      source: "clickhouse:default#(query)",
    });
    const own = await fitBatches({
      pipeline: extraPipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    expect(withoutSources(model)).toEqual(withoutSources(own.model));
  });

  it("counts grouped by an extra as the records' values of it", async () => {
    const counts = await countInClickHouse({
      client,
      database: "default",
      query: QUERY,
      queries: [{ key: "h", fields: [EXTRA] }],
    });
    const expected = new Map<string | null, number>();
    for (const r of records) {
      const host = r.extra?.[EXTRA] ?? null;
      expected.set(host, (expected.get(host) ?? 0) + 1);
    }
    const rows = counts.results.get("h")!.map((row) => [row.values[0], row.count] as const);
    expect(new Map(rows)).toEqual(expected);
    expect(rows.length).toBe(HOSTS.length);
  });

  it("counts the key as extra.primary_key, as the streamed records carry it, and not as an extra of its name", async () => {
    await expectKeyCounts({ client, url, relation: { query: QUERY }, beside: "Took" });
  });

  it("streams back only the rows a footprint over the extra flags, finding what scoring every record finds", async () => {
    const { model } = await fitBatches({
      pipeline: extraPipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    const stream = readClickHouseCandidates({ url, query: QUERY, primaryKey: "n", model });
    const streamed = await collectRecords(stream);
    const expected = anomalies(model, records);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.some((a) => a.includes("\\u001b[31mred"))).toBe(true);
    expect(anomalies(model, streamed)).toEqual(expected);
    expect(streamed.length).toBeLessThan(records.length / 2);
    expect(stream.stats).toMatchObject({ read: records.length, parsed: records.length });
  });
});

describe("a --query's extra columns refused", () => {
  async function refusal(run: () => unknown): Promise<string> {
    try {
      const result = run();
      if (result !== null && typeof result === "object" && Symbol.asyncIterator in result)
        await collectRecords(result as AsyncIterable<RecordBatch>);
      else await result;
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error("not refused");
  }

  it("refuses a column named primary_key beside a primary key, naming both", async () => {
    const query = "SELECT client AS ip, host AS primary_key, n FROM default.extras";
    const message = await refusal(() => readClickHouse({ url, query, primaryKey: "n" }));
    expect(message).toMatch(
      /: columns "n" and "primary_key" both map to extra\.primary_key; alias one of them$/,
    );
  });

  it("refuses two columns of one name, naming it", async () => {
    const query = "SELECT client AS ip, host, host FROM default.extras";
    const message = await refusal(() => readClickHouse({ url, query }));
    expect(message).toMatch(/: columns "host" and "host" both map to extra\.host; alias one of them$/);
  });
});
