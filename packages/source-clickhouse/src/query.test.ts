import { createClient, type ClickHouseClient } from "@clickhouse/client";
import {
  InputError,
  createScorer,
  fitBatches,
  readInputs,
  type LogRecord,
  type Model,
  type RecordBatch,
} from "@oddity/core";
import { collectRecords, derivedPipeline, FIXTURE_LOGS, withoutSources } from "../test/pipelines.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../test/cluster.js";
import {
  chIdentifier,
  countInClickHouse,
  fitInClickHouse,
  readClickHouse,
  readClickHouseCandidates,
} from "./index.js";

// A table of requests in columns of its own names and types, as a user's table would be.
const COLUMNS = {
  n: "UInt64",
  client: "String",
  who_i: "Nullable(String)",
  who: "Nullable(String)",
  ts: "DateTime",
  stamp: "Nullable(String)",
  verb: "Nullable(String)",
  target: "Nullable(String)",
  proto: "Nullable(String)",
  code: "Nullable(UInt16)",
  bytes: "Nullable(UInt64)",
  ref: "Nullable(String)",
  agent: "Nullable(String)",
};
// An alias holding every character that ends an identifier or a literal, and a terminal escape.
const KEY = "k'`; DROP TABLE requests; -- \\ \u001b[31m";
// Renames and converts every column: aliases (`protocol`, `bytes`, `referrer`) and letter case as
// source-sql reads them, `ts` a DateTime; it ends in a comment and a semicolon, as a pasted query may.
const QUERY = `SELECT client AS ip, who_i AS IDENT, who AS user, ts AS time, stamp AS time_text, verb AS method,
  target AS path, proto AS protocol, code AS status, bytes, ref AS referrer, agent AS user_agent,
  n AS ${chIdentifier(KEY)}, 'x''; DROP' AS other
FROM default.requests -- every request;`;

const HOSTILE = [
  "'); DROP TABLE requests; --",
  "back\\slash \\' \\\\",
  'it\'s "q" `b`',
  "nul\u0000byte",
  "tab\tnl\n",
  "\u001b[31mred",
];

let cluster: Cluster;
const clients: ClickHouseClient[] = [];
let url: string;
let records: LogRecord[];

// What scoring prints of a record, but for where it came from: its source, line, raw text and key.
function anomalies(model: Model, scored: readonly LogRecord[]): string[] {
  const score = createScorer(model);
  return scored
    .flatMap((r) => score(r) ?? [])
    .map(({ record, ...rest }) => {
      const { source: _s, line: _l, raw: _r, extra: _e, ...fields } = record;
      return JSON.stringify({ ...fields, ...rest });
    })
    .sort();
}

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.http) clients.push(createClient({ url: `http://127.0.0.1:${port}` }));
  await cluster.createDistributedTable({ name: "requests", columns: COLUMNS, key: "n" });
  records = [];
  for await (const batch of readInputs({ inputs: FIXTURE_LOGS, format: { name: "combined" } }))
    records.push(...batch.records);
  // Values that end a literal or hide a statement, each the method and agent of one request: rare, so
  // flagged, and so named in the selection's condition.
  const first = records[0]!;
  records.push(
    ...HOSTILE.map((value, i) => ({
      ...first,
      method: value,
      user_agent: value,
      path: `/${value}?q=${value}`,
      line: records.length + i + 1,
    })),
  );
  await cluster.insertRows({
    table: "requests",
    rows: records.map((r, n) => ({
      n,
      client: r.ip,
      who_i: r.ident,
      who: r.user,
      // Digits are read as a Unix time, whatever the server's time zone.
      ts: String(r.time! / 1000),
      stamp: r.time_text,
      verb: r.method,
      target: r.path,
      proto: r.http_version,
      code: r.status,
      bytes: r.size,
      ref: r.referer,
      agent: r.user_agent,
    })),
  });
  url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

describe("--query on a 2-shard ClickHouse cluster", () => {
  it("fits through a query renaming and converting the columns the model oddity fits on the records", async () => {
    const { model } = await fitInClickHouse({
      pipeline: derivedPipeline(),
      client: clients[0]!,
      database: "default",
      query: QUERY,
      source: "clickhouse:default#(query)",
    });
    const own = await fitBatches({
      pipeline: derivedPipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    expect(withoutSources(model)).toEqual(withoutSources(own.model));
    expect(model.meta.records).toBe(records.length);
  });

  it("streams the query's rows back as the records, field for field, keyed by a hostile alias", async () => {
    const stream = readClickHouse({ url, query: QUERY, primaryKey: KEY, batchSize: 700 });
    const back = await collectRecords(stream);
    const fields = ({ source: _s, line: _l, raw: _r, extra: _e, ...rest }: LogRecord) => rest;
    expect(back.map(fields)).toEqual(records.map(fields));
    expect(back.map((r) => [r.line, r.extra?.primary_key])).toEqual(
      records.map((_, n) => [n + 1, String(n)]),
    );
    expect(stream.source).toMatch(
      /^clickhouse:\/\/default@127\.0\.0\.1:\d+\/default#\(SELECT client AS ip, /,
    );
    expect(stream.source).not.toContain("\u001b");
  });

  it("scores only the rows the model could flag, finding what scoring the records finds", async () => {
    const { model } = await fitBatches({
      pipeline: derivedPipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    const stream = readClickHouseCandidates({ url, query: QUERY, primaryKey: KEY, model });
    const streamed = await collectRecords(stream);
    const expected = anomalies(model, records);
    expect(expected.length).toBeGreaterThan(20);
    expect(anomalies(model, streamed)).toEqual(expected);
    expect(streamed.length).toBeLessThan(records.length / 4);
    const methods = streamed.map((r) => r.method);
    expect(methods).toEqual(expect.arrayContaining(HOSTILE));
    expect(stream.stats).toMatchObject({ read: records.length, parsed: records.length });
  });

  it("streams every row of the query without a primary key", async () => {
    const { model } = await fitBatches({
      pipeline: derivedPipeline(),
      batches: [{ records, rejections: [], blank: 0, read: records.length }],
    });
    const streamed = await collectRecords(readClickHouseCandidates({ url, query: QUERY, model }));
    expect(streamed.length).toBe(records.length);
  });

  it("counts through a query giving a few fields, the others absent on every record", async () => {
    const counts = await countInClickHouse({
      client: clients[0]!,
      database: "default",
      query: "SELECT code AS status_code, agent AS `User_Agent`, NULL AS referer FROM default.requests",
      queries: [
        { key: "s", fields: ["status", "method"] },
        { key: "a", fields: ["user_agent"] },
        { key: "r", fields: ["referer"] },
      ],
    });
    const expected = new Map<number, number>();
    for (const r of records) expected.set(r.status!, (expected.get(r.status!) ?? 0) + 1);
    expect(new Map(counts.results.get("s")!.map((row) => [row.values[0], row.count] as const))).toEqual(
      expected,
    );
    expect(counts.results.get("s")!.every((row) => row.values[1] === null)).toBe(true);
    expect(counts.results.get("r")).toEqual([{ values: [null], count: records.length }]);
    expect(counts.records).toBe(records.length);
    expect(counts.timeRange).toEqual({ from: null, to: null });
  });
});

describe("--query refusals", () => {
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

  it("refuses a query with a table, saying to drop --table", async () => {
    const message = await refusal(() => readClickHouse({ url, query: QUERY, table: "requests" }));
    expect(message).toMatch(/: give either --table or --query, not both: drop --table /);
  });

  it("refuses a query with a raw-line column, saying to drop --column", async () => {
    const message = await refusal(() => readClickHouse({ url, query: QUERY, column: "agent" }));
    expect(message).toMatch(/: drop --column: a query's columns are named like record fields/);
  });

  it("refuses a query with no column named like a record field, naming its columns", async () => {
    const query = `SELECT client, code AS ${chIdentifier("c'`\u001b[2J")} FROM default.requests`;
    const message = await refusal(() => readClickHouse({ url, query }));
    expect(message).toContain(
      `no column of the query is named like a record field (ip, ident, user, time, time_text, method, path, http_version, status, size, referer, user_agent); its columns are "client", "c'\`\\u001b[2J": alias them`,
    );
    const counted = await refusal(() =>
      countInClickHouse({ client: clients[0]!, database: "default", query, queries: [] }),
    );
    expect(counted).toContain('its columns are "client", ');
  });

  it("refuses a primary key the query does not return, naming its columns", async () => {
    const message = await refusal(() =>
      readClickHouse({ url, query: "SELECT client AS ip, n FROM default.requests", primaryKey: "id" }),
    );
    expect(message).toMatch(
      /#\(SELECT client AS ip, n FROM default\.requests\): the query has no column "id" for the primary key \(columns: "ip", "n"\)$/,
    );
  });

  it("refuses a text time and two columns for one field, saying what to do", async () => {
    const text = await refusal(() =>
      readClickHouse({ url, query: "SELECT client AS ip, stamp AS time FROM default.requests" }),
    );
    expect(text).toMatch(/column "time" is Nullable\(String\), not a time: give a DateTime or epoch/);
    const twice = await refusal(() =>
      readClickHouse({ url, query: "SELECT client AS ip, client AS client_ip FROM default.requests" }),
    );
    expect(twice).toMatch(/columns "ip" and "client_ip" both map to ip; alias one of them$/);
  });

  it("reports a query ClickHouse refuses with its reason, naming the URL", async () => {
    const message = await refusal(() =>
      readClickHouse({
        url,
        query: "SELECT nosuch FROM default.requests",
      }),
    );
    expect(message).toMatch(
      /^clickhouse:\/\/default@127\.0\.0\.1:\d+\/default: .*Unknown identifier: nosuch/,
    );
  });

  it("leaves the table intact after the hostile query and aliases", async () => {
    const result = await clients[0]!.query({
      query: "SELECT count() AS n FROM default.requests",
      format: "JSONEachRow",
    });
    expect(Number((await result.json<{ n: string }>())[0]!.n)).toBe(records.length);
  });
});
