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
import { recordColumns, startCluster, type Cluster } from "../test/cluster.js";
import { anomalies, EXTRA, HOSTS, hostOf, expectKeyCounts, recordFields } from "../test/extras.js";
import { collectRecords, FIXTURE_LOGS, withoutSources, newKeysModel } from "../test/pipelines.js";
import {
  TABLE_FIELDS,
  chIdentifier,
  countInClickHouse,
  fitInClickHouse,
  readClickHouse,
  readClickHouseCandidates,
  tableRelation,
} from "./index.js";

const TABLE = "extras";
// Beside the record fields and the key: the hostile extra, a number, two columns named like what
// oddity's queries call their results (`c`, `k0`), and columns named like fields oddity reads otherwise
// (an alias of `ip`, `raw` in capitals), which are not read as extras.
const COLUMNS = {
  ...recordColumns(TABLE_FIELDS),
  n: "UInt64",
  [EXTRA]: "Nullable(String)",
  Took: "UInt32",
  c: "Nullable(String)",
  k0: "String",
  client_ip: "String",
  RAW: "String",
};

let cluster: Cluster;
let client: ClickHouseClient;
let url: string;
// The rows as records, their extras as source-sql maps a row's columns: each column that is not a record
// field under its own name, its text, NULL left out; the key in `primary_key`.
let records: LogRecord[];

// A class per status, and a rare one.
const classOf = (n: number, status: number | null) =>
  n % 1999 === 0 ? "rare" : status === null ? null : `${Math.floor(status / 100)}xx`;
const kindOf = (n: number) => (n % 7 === 0 ? "odd" : "even");

// Conditional pairs given the extra, of it given a derived field, and between the two columns named like
// oddity's results; rarity of them beside a field; sizes of a numeric extra per value of the hostile one.
function extraPipeline(): Pipeline {
  return createPipeline({
    detectors: [
      { use: "rarity", definition: rarity, options: { fields: ["path", EXTRA, "c", "Took"] } },
      {
        use: "conditional",
        definition: conditional,
        options: {
          pairs: [
            { given: EXTRA, target: "path" },
            { given: "path_template", target: EXTRA },
            { given: "k0", target: "c" },
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
  await cluster.createDistributedTable({ name: TABLE, columns: COLUMNS, key: "n" });
  const read: LogRecord[] = [];
  for await (const batch of readInputs({ inputs: FIXTURE_LOGS, format: { name: "combined" } }))
    read.push(...batch.records);
  records = read.map((r, n) => {
    const extra: Record<string, string> = Object.create(null) as Record<string, string>;
    const host = hostOf(n, r.status);
    if (host !== null) extra[EXTRA] = host;
    extra.Took = String(n % 5);
    const c = classOf(n, r.status);
    if (c !== null) extra.c = c;
    extra.k0 = kindOf(n);
    extra.primary_key = String(n);
    return { ...r, extra };
  });
  await cluster.insertRows({
    table: TABLE,
    rows: read.map((r, n) => ({
      ...Object.fromEntries(TABLE_FIELDS.map((f) => [f, r[f]])),
      n,
      [EXTRA]: hostOf(n, r.status),
      Took: n % 5,
      c: classOf(n, r.status),
      k0: kindOf(n),
      client_ip: "192.0.2.1",
      RAW: "not the raw line",
    })),
  });
  url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
}, 180_000);

afterAll(async () => {
  await client?.close();
  await cluster?.stop();
});

describe("a --table's columns that are not record fields, as extras", () => {
  it("reads each extra from its column of the table itself, so the GROUP BYs run on the shards", () => {
    const relation = tableRelation({
      database: "default",
      table: TABLE,
      columns: Object.entries(COLUMNS).map(([name, type]) => ({ name, type })),
      primaryKey: "n",
      source: "test",
    });
    expect(relation).toEqual({
      from: "`default`.`extras`",
      fields: TABLE_FIELDS,
      extras: new Map([
        [EXTRA, chIdentifier(EXTRA)],
        ["Took", "toString(`Took`)"],
        ["c", "`c`"],
        ["k0", "`k0`"],
      ]),
      key: "toString(`n`)",
      prefix: "oddity_",
    });
  });

  it("streams each column not named like a record field as an extra of its name, NULL left out", async () => {
    const stream = readClickHouse({ url, table: TABLE, primaryKey: "n", batchSize: 700 });
    const back = await collectRecords(stream);
    expect(stream.format).toBe(
      `clickhouse columns (${[...TABLE_FIELDS, ...[EXTRA, "Took", "c", "k0"].map((e) => `extra ${JSON.stringify(e)}`)].join(", ")})`,
    );
    expect(back.map(recordFields)).toEqual(records.map(recordFields));
    expect(back.filter((r) => r.extra?.[EXTRA] === "").length).toBeGreaterThan(0);
    expect(back.filter((r) => !(EXTRA in r.extra!)).length).toBeGreaterThan(0);
  });

  it("reads the key column as an extra of its name when no primary key is given", async () => {
    const back = await collectRecords(readClickHouse({ url, table: TABLE }));
    const byKey = back.map(recordFields).sort((a, b) => Number(a.extra.n) - Number(b.extra.n));
    expect(byKey).toEqual(
      records.map((r, n) => {
        const { primary_key: _k, ...extra } = r.extra!;
        return recordFields({ ...r, extra: { ...extra, n: String(n) } });
      }),
    );
  });

  it("shows the extras in a record's raw JSON, as its fields", async () => {
    const [first] = await collectRecords(
      readClickHouse({ url, table: TABLE, primaryKey: "n", batchSize: 1 }),
    );
    expect(JSON.parse(first!.raw)).toMatchObject({
      [EXTRA]: hostOf(0, records[0]!.status),
      Took: "0",
      k0: "odd",
      path: records[0]!.path,
    });
  });

  it("fits a pipeline over the extras in the cluster, the model fitting the records gives", async () => {
    const { model } = await fitInClickHouse({
      pipeline: extraPipeline(),
      client,
      database: "default",
      table: TABLE,
      source: "clickhouse:default#extras",
    });
    const own = await fitBatches({
      pipeline: extraPipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    expect(withoutSources(model)).toEqual(withoutSources(own.model));
  });

  it("counts grouped by extras named like oddity's results as the records' values of them", async () => {
    const counts = await countInClickHouse({
      client,
      database: "default",
      table: TABLE,
      queries: [
        { key: "h", fields: [EXTRA] },
        { key: "kc", fields: ["k0", "c"] },
      ],
    });
    const expected = (key: (r: LogRecord) => string) => {
      const map = new Map<string, number>();
      for (const r of records) map.set(key(r), (map.get(key(r)) ?? 0) + 1);
      return map;
    };
    const rows = (key: string) =>
      new Map(counts.results.get(key)!.map((row) => [JSON.stringify(row.values), row.count]));
    expect(rows("h")).toEqual(expected((r) => JSON.stringify([r.extra![EXTRA] ?? null])));
    expect(rows("kc")).toEqual(expected((r) => JSON.stringify([r.extra!.k0, r.extra!.c ?? null])));
    expect(rows("h").size).toBe(HOSTS.length);
  });

  it("counts the key as extra.primary_key, as the streamed records carry it, and not as an extra of its name", async () => {
    await expectKeyCounts({ client, url, relation: { table: TABLE }, beside: "k0" });
  });

  it("selects the rows a footprint over the key flags, reading the key as extra.primary_key", async () => {
    const { model, flagged } = await newKeysModel(records);
    const streamed = await collectRecords(
      readClickHouseCandidates({ url, table: TABLE, primaryKey: "n", model }),
    );
    const expected = anomalies(model, records);
    expect(expected).toHaveLength(flagged);
    expect(anomalies(model, streamed)).toEqual(expected);
    expect(streamed.length).toBeLessThan(records.length / 10);
  });

  it("streams back only the rows a footprint over the extras flags, finding what scoring every record finds", async () => {
    const { model } = await fitBatches({
      pipeline: extraPipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    const stream = readClickHouseCandidates({ url, table: TABLE, primaryKey: "n", model });
    const streamed = await collectRecords(stream);
    const expected = anomalies(model, records);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.some((a) => a.includes("\\u001b[31mred"))).toBe(true);
    expect(expected.some((a) => a.includes('"c":"rare"'))).toBe(true);
    expect(anomalies(model, streamed)).toEqual(expected);
    expect(streamed.length).toBeLessThan(records.length / 2);
    expect(stream.stats).toMatchObject({ read: records.length, parsed: records.length });
  });
});

describe("a --table's extra columns refused", () => {
  async function refusal(run: () => AsyncIterable<RecordBatch> | Promise<unknown>): Promise<string> {
    try {
      const result = run();
      if (result instanceof Promise) await result;
      else await collectRecords(result);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error("not refused");
  }

  it("refuses a column named primary_key beside a primary key, naming both and what to do", async () => {
    await cluster.createDistributedTable({
      name: "keyed",
      columns: { ip: "String", primary_key: "String", n: "UInt64" },
      key: "n",
    });
    const message = await refusal(() => readClickHouse({ url, table: "keyed", primaryKey: "n" }));
    expect(message).toMatch(
      /\/default#keyed: columns "n" and "primary_key" both map to extra\.primary_key; read the table through --query, aliasing one of them$/,
    );
  });

  it("refuses to fit an unknown table with an InputError listing the tables", async () => {
    const message = await refusal(() =>
      fitInClickHouse({
        pipeline: extraPipeline(),
        client,
        database: "default",
        table: "nope",
        source: "clickhouse:default#nope",
      }),
    );
    expect(message).toMatch(/^clickhouse:default#nope: no table "nope" \(tables: .*"extras".*\)$/);
  });
});
