import { createClient, type ClickHouseClient } from "@clickhouse/client";
import {
  MAPPABLE_FIELDS,
  createPipeline,
  createScorer,
  defineDetector,
  fieldReader,
  fitBatches,
  planCandidates,
  readInputs,
  type LogRecord,
  type Model,
  type ScoredRecord,
} from "@oddity/core";
import { rarity } from "@oddity/detector-rarity";
import { collectRecords, derivedPipeline, FIXTURE_LOGS } from "../test/pipelines.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordColumns, startCluster, type Cluster } from "../test/cluster.js";
import {
  TABLE_FIELDS,
  candidateCondition,
  chIdentifier,
  chString,
  readClickHouse,
  readClickHouseCandidates,
} from "./index.js";

// Values that end a literal or hide a statement, each the method of one request: rare, so flagged.
const HOSTILE = [
  "'); DROP TABLE logs; --",
  "back\\slash \\' \\\\",
  'it\'s "q" `b`',
  "nul\u0000byte",
  "tab\tnl\n",
];
const TABLE = "logs";

let cluster: Cluster;
const clients: ClickHouseClient[] = [];
let url: string;
let rows: number;

function anomalies(model: Model, records: readonly LogRecord[]): ScoredRecord[] {
  const score = createScorer(model);
  return records.flatMap((r) => score(r) ?? []);
}

let model: Model;
let all: LogRecord[];

// A table of parsed columns `default.<name>`: a MergeTree `<name>_local` on each shard, Distributed over them.
const createTable = (name: string) =>
  cluster.createDistributedTable({
    name,
    columns: { ...recordColumns(TABLE_FIELDS), n: "UInt64" },
    key: "n",
  });

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.http) clients.push(createClient({ url: `http://127.0.0.1:${port}` }));
  await createTable(TABLE);
  const records: LogRecord[] = [];
  for await (const batch of readInputs({ inputs: FIXTURE_LOGS, format: { name: "combined" } }))
    records.push(...batch.records);
  // Keys with gaps and out of insertion order: a line is the row's place in key order, not its key.
  const keyed = records.map((r, i) => ({ r, n: (i * 7919) % 100_003 }));
  await cluster.insertRows({
    table: TABLE,
    rows: keyed.map(({ r, n }) => ({ ...Object.fromEntries(TABLE_FIELDS.map((f) => [f, r[f]])), n })),
  });
  // Hostile methods, and one that is not UTF-8 (its bytes must match, not their decoding).
  const hostile = [...HOSTILE.map(chString), "unhex('FF41FE')"].map(
    (method, i) =>
      `(${chString(`10.9.9.${i}`)}, ${method}, '/x', 200, 10, 'curl', ${200_000 + i}, 1555443282000)`,
  );
  await cluster.insertValues({
    table: TABLE,
    columns: ["ip", "method", "path", "status", "size", "user_agent", "n", "time"],
    values: hostile,
  });
  rows = records.length + hostile.length;
  url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
  all = await collectRecords(readClickHouse({ url, table: TABLE, primaryKey: "n" }));
  model = (
    await fitBatches({
      pipeline: derivedPipeline(),
      batches: [{ records: all, rejections: [], blank: 0, read: all.length }],
    })
  ).model;
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

describe("readClickHouseCandidates on a 2-shard cluster", () => {
  it("finds the anomalies scoring every record finds: same records, lines, scores, findings", async () => {
    const stream = readClickHouseCandidates({ url, table: TABLE, primaryKey: "n", model, batchSize: 100 });
    const streamed = await collectRecords(stream);
    const expected = anomalies(model, all);
    expect(expected.length).toBeGreaterThan(20);
    expect(anomalies(model, streamed)).toEqual(expected);
  });

  it("streams back far fewer rows than the table holds, yet counts every row as read and parsed", async () => {
    const stream = readClickHouseCandidates({ url, table: TABLE, primaryKey: "n", model });
    const streamed = await collectRecords(stream);
    expect(all.length).toBe(rows);
    expect(streamed.length).toBeLessThan(rows / 4);
    expect(stream.stats).toMatchObject({ read: rows, parsed: rows, rejected: 0, blank: 0 });
    // The rows left in the cluster are said apart.
    expect(stream.stats.unscored).toBe(rows - streamed.length);
  });

  it("gives each streamed row the line and key the whole stream gives it", async () => {
    const streamed = await collectRecords(
      readClickHouseCandidates({ url, table: TABLE, primaryKey: "n", model }),
    );
    const byLine = new Map(all.map((r) => [r.line, r]));
    expect(streamed.length).toBeGreaterThan(0);
    for (const record of streamed) expect(record).toEqual(byLine.get(record.line));
  });

  it("selects hostile and non-UTF-8 values of flagged tuples, sent escaped, leaving the table intact", async () => {
    const condition = await candidateCondition({
      client: clients[0]!,
      model,
      from: `${chIdentifier("default")}.${chIdentifier(TABLE)}`,
      fields: TABLE_FIELDS,
    });
    for (const value of HOSTILE) expect(condition.sql).toContain(chString(value));
    expect(condition.sql).toContain(`unhex(${chString("FF41FE")})`);
    // A NULL of a flagged tuple is its own flag: IN never matches NULL.
    expect(condition.sql).toContain("1, ''");
    const streamed = await collectRecords(
      readClickHouseCandidates({ url, table: TABLE, primaryKey: "n", model }),
    );
    const methods = anomalies(model, streamed).map((a) => a.record.method);
    expect(methods).toEqual(expect.arrayContaining([...HOSTILE, "\ufffdA\ufffd"]));
    const count = await clients[0]!.query({
      query: `SELECT count() AS n FROM default.${TABLE}`,
      format: "JSONEachRow",
    });
    expect(Number((await count.json<{ n: string }>())[0]!.n)).toBe(rows);
  });

  it("groups by template in the cluster: one combination per template, not per path", async () => {
    const from = `${chIdentifier("default")}.${chIdentifier(TABLE)}`;
    const { grouped } = await candidateCondition({ client: clients[0]!, model, from, fields: TABLE_FIELDS });
    // The distinct combinations of each distinct footprint query, counted in Node over the same records;
    // then with each template, endpoint and query string read as the path it comes from.
    const queries = planCandidates(model.pipeline, { derive: MAPPABLE_FIELDS })!.queries;
    const fieldsOf = new Map(queries.map(({ query }) => [query.key, query.fields]));
    const distinct = (asPath: boolean) => {
      let total = 0;
      for (const fields of fieldsOf.values()) {
        const readers = fields.map((f) =>
          fieldReader(asPath && (MAPPABLE_FIELDS as readonly string[]).includes(f) ? "path" : f),
        );
        total += new Set(all.map((r) => JSON.stringify(readers.map((read) => read(r))))).size;
      }
      return total;
    };
    expect(grouped).toBe(distinct(false));
    expect(grouped).toBeLessThan(distinct(true));
  });

  it("streams a selection whose condition outgrows ClickHouse's default 256 KiB of query", async () => {
    // 6,000 requests, each to a path of its own: rarity flags every path, a condition naming them all.
    await createTable("wide");
    await cluster.insertRows({
      table: "wide",
      rows: Array.from({ length: 6000 }, (_, n) => ({
        ip: `10.1.${n % 250}.${n % 7}`,
        method: "GET",
        path: `/archive/${String(n).padStart(6, "0")}/a-long-enough-name-for-a-long-condition.html`,
        status: 200,
        n,
      })),
    });
    const wide = await collectRecords(readClickHouse({ url, table: "wide", primaryKey: "n" }));
    const everyPath = (
      await fitBatches({
        pipeline: createPipeline({
          detectors: [
            {
              use: "rarity",
              definition: rarity,
              options: { fields: ["path"], threshold: 0.5, budget: null, minCount: null, client: null },
            },
          ],
        }),
        batches: [{ records: wide, rejections: [], blank: 0, read: wide.length }],
      })
    ).model;
    const condition = await candidateCondition({
      client: clients[0]!,
      model: everyPath,
      from: `${chIdentifier("default")}.${chIdentifier("wide")}`,
      fields: TABLE_FIELDS,
    });
    expect(Buffer.byteLength(condition.sql ?? "")).toBeGreaterThan(262_144);
    const streamed = await collectRecords(
      readClickHouseCandidates({ url, table: "wide", primaryKey: "n", model: everyPath }),
    );
    expect(streamed.length).toBe(6000);
    expect(anomalies(everyPath, streamed)).toEqual(anomalies(everyPath, wide));
  });

  it("gives up the selection past the most flagged combinations a query may name", async () => {
    const from = `${chIdentifier("default")}.${chIdentifier(TABLE)}`;
    const args = { client: clients[0]!, model, from, fields: TABLE_FIELDS };
    const { flagged } = await candidateCondition(args);
    expect(flagged).toBeGreaterThan(1);
    expect((await candidateCondition({ ...args, maxFlagged: flagged })).sql).not.toBeNull();
    expect((await candidateCondition({ ...args, maxFlagged: flagged - 1 })).sql).toBeNull();
  });

  it("streams every row without a primary key, whose order would be the server's", async () => {
    const stream = readClickHouseCandidates({ url, table: TABLE, model });
    expect((await collectRecords(stream)).length).toBe(rows);
  });

  it("streams every row for a detector that declares no footprints", async () => {
    const plain = defineDetector({
      meta: { ...rarity.meta, name: "no-footprints" },
      create(options, context) {
        const { footprints: _footprints, ...hooks } = rarity.create(options, context);
        return hooks;
      },
    });
    const own = await fitBatches({
      pipeline: createPipeline({ detectors: [{ use: "no-footprints", definition: plain }] }),
      batches: [{ records: all, rejections: [], blank: 0, read: all.length }],
    });
    const condition = await candidateCondition({
      client: clients[0]!,
      model: own.model,
      from: `${chIdentifier("default")}.${chIdentifier(TABLE)}`,
      fields: TABLE_FIELDS,
    });
    expect(condition).toEqual({ sql: null, join: "", grouped: 0, flagged: 0 });
    const streamed = await collectRecords(
      readClickHouseCandidates({ url, table: TABLE, primaryKey: "n", model: own.model }),
    );
    expect(streamed.length).toBe(rows);
  });
});
