import { readFileSync } from "node:fs";
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import {
  MAPPABLE_FIELDS,
  createScorer,
  fieldReader,
  fitBatches,
  planCandidates,
  type InputStats,
  type LogRecord,
  type Model,
  type RecordBatch,
  type Rejection,
  type ScoredRecord,
} from "@oddity/core";
import { fixture } from "@oddity/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derivedPipeline, newKeysModel } from "../test/pipelines.js";
import { startCluster, type Cluster } from "../test/cluster.js";
import {
  candidateCondition,
  chIdentifier,
  chString,
  parseClickHouseUrl,
  planLineSplit,
  readClickHouse,
  readClickHouseCandidates,
  type ReadClickHouseOptions,
} from "./index.js";

// A table and a column named with every character that ends an identifier or a literal.
const TABLE = "raw`; DROP TABLE x; -- 'q' \\ \"d\"";
const COLUMN = "line' \\` \"; DROP";
const at = "[16/Apr/2019:19:34:42 +0000]";

// Lines the SQL reads whose rare methods must be selected by literals that end no string: a quote, a
// tab and a terminal escape do not stop the SQL reading a line (a backslash does).
const PLAIN_HOSTILE = [
  `10.66.0.1 - - ${at} "it's');DROP-TABLE-x;-- /q HTTP/1.1" 200 17 "-" "quote ' agent"`,
  `10.66.0.2 - - ${at} "TAB\tME /tab\there HTTP/1.1" 201 18 "ref\there" "tab\tagent"`,
  `10.66.0.3 - - ${at} "\u001b[31mRED /red HTTP/1.1" 200 19 "-" "\u001b[2J"`,
];
// Lines the SQL hands back to oddity's parser: it parses some, rejects others with their reasons.
const LEFT_TO_PARSER = [
  `10.66.1.1 - - ${at} "GET /back\\\\slash HTTP/1.1" 200 20 "-" "back\\"slash"`,
  `host.example.com - - ${at} "GET /host HTTP/1.1" 200 21 "-" "-"`,
  `10.66.1.2 - - ${at} "GET /a HTTP/1.1" 200 22 "-" "-" "trailing"`,
  `10.66.1.3 - - [31/Feb/2019:19:34:42 +0000] "GET /no-date HTTP/1.1" 200 23 "-" "-"`,
  "not a log line at all",
  `10.66.1.4 - - ${at} "GET /${"long/".repeat(130)} HTTP/1.1" 200 24 "-" "-"`,
];

let cluster: Cluster;
let client: ClickHouseClient;
const clients: ClickHouseClient[] = [];
let url: string;
let rows: number;
let model: Model;
const MAX_LINE_LENGTH = 600;

/** Everything a read gives: its records, its rejections and its stats. */
async function readAll(stream: AsyncIterable<RecordBatch> & { stats: InputStats }): Promise<{
  records: LogRecord[];
  rejections: Rejection[];
  stats: InputStats;
}> {
  const records: LogRecord[] = [];
  const rejections: Rejection[] = [];
  for await (const batch of stream) {
    records.push(...batch.records);
    rejections.push(...batch.rejections);
  }
  return { records, rejections, stats: { ...stream.stats } };
}

function anomalies(records: readonly LogRecord[], scoredWith: Model = model): ScoredRecord[] {
  const score = createScorer(scoredWith);
  return records.flatMap((r) => score(r) ?? []);
}

/** Another table of lines, `n` and `line`, holding `values` (SQL tuples). */
async function createLineTable({
  name,
  local,
  values,
}: {
  name: string;
  local: string;
  values: string[];
}): Promise<void> {
  await cluster.createDistributedTable({ name, local, columns: { n: "UInt64", line: "String" }, key: "n" });
  await cluster.insertValues({ table: name, values });
}

const options = (more: Partial<ReadClickHouseOptions> = {}): ReadClickHouseOptions => ({
  url,
  table: TABLE,
  column: COLUMN,
  primaryKey: "n",
  maxLineLength: MAX_LINE_LENGTH,
  batchSize: 500,
  ...more,
});

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.http) clients.push(createClient({ url: `http://127.0.0.1:${port}` }));
  client = clients[0]!;
  url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
  const sample = readFileSync(fixture("elastic-apache/apache_logs"), "utf8").replace(/\n$/, "").split("\n");
  const values = [
    ...sample.slice(0, 6000).map(chString),
    ...PLAIN_HOSTILE.map(chString),
    ...LEFT_TO_PARSER.map(chString),
    // NULL, blank rows, a newline kept from a file.
    "NULL",
    chString(""),
    chString(" \t "),
    chString(`${sample[0]}\n`),
    // Bytes that are not UTF-8: in a method and a path of lines the SQL reads, in a line it does not.
    `concat(${chString(`10.66.2.1 - - ${at} "`)}, unhex('FE41'), ${chString(` /bytes HTTP/1.1" 200 25 "-" "agent"`)})`,
    `concat(${chString(`10.66.2.2 - - ${at} "GET /bytes/`)}, unhex('C327'), ${chString(` HTTP/1.1" 200 26 "-" "-"`)})`,
    `concat(${chString(`10.66.2.3 - - ${at} "GET /esc\\\\`)}, unhex('FF'), ${chString(` HTTP/1.1" 200 27 "-" "-"`)})`,
    ...sample.slice(6000).map(chString),
  ];
  rows = values.length;
  await cluster.createDistributedTable({
    name: TABLE,
    local: "raw_local",
    columns: { n: "UInt64", [COLUMN]: "Nullable(String)" },
    key: "n",
  });
  // Keys with gaps and out of insertion order: a line is the row's place in key order, not its key.
  await cluster.insertValues({
    table: TABLE,
    values: values.map((v, i) => `(${(i * 7919) % 100_003}, ${v})`),
  });
  const streamed = await readAll(readClickHouse(options()));
  model = (
    await fitBatches({
      pipeline: derivedPipeline({ rest: true }),
      batches: [{ records: streamed.records, rejections: [], blank: 0, read: streamed.records.length }],
    })
  ).model;
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

describe("readClickHouseCandidates on a raw-line column split in the 2-shard cluster", () => {
  it("finds the anomalies the streamed read finds: same records, lines, keys, scores, findings", async () => {
    const selected = await readAll(readClickHouseCandidates({ ...options(), model }));
    const streamed = await readAll(readClickHouse(options()));
    const expected = anomalies(streamed.records);
    expect(expected.length).toBeGreaterThan(20);
    expect(anomalies(selected.records)).toEqual(expected);
  });

  it("selects the lines a footprint over the key flags, reading the key as extra.primary_key", async () => {
    const streamed = await readAll(readClickHouse(options()));
    const { model: keyModel, flagged } = await newKeysModel(streamed.records);
    const selected = await readAll(readClickHouseCandidates({ ...options(), model: keyModel }));
    const expected = anomalies(streamed.records, keyModel);
    expect(expected).toHaveLength(flagged);
    expect(anomalies(selected.records, keyModel)).toEqual(expected);
    expect(selected.records.length).toBeLessThan(rows / 10);
  });

  it("rejects the lines the streamed read rejects, with their reasons and line numbers", async () => {
    const selected = await readAll(readClickHouseCandidates({ ...options(), model }));
    const streamed = await readAll(readClickHouse(options()));
    expect(selected.rejections).toEqual(streamed.rejections);
    expect(selected.rejections.map((r) => r.reason)).toEqual(
      expect.arrayContaining([`${COLUMN} is NULL`, `line longer than ${MAX_LINE_LENGTH} characters`]),
    );
    expect(selected.rejections.length).toBeGreaterThanOrEqual(4);
  });

  it("counts every row as the streamed read does, saying how many were left in the cluster", async () => {
    const selected = await readAll(readClickHouseCandidates({ ...options(), model }));
    const streamed = await readAll(readClickHouse(options()));
    expect(streamed.stats.read).toBe(rows);
    expect(selected.records.length).toBeLessThan(rows / 4);
    const { unscored, ...stats } = selected.stats;
    expect(unscored).toBe(streamed.stats.parsed - selected.records.length);
    // Bytes are the table's for the rows left there: the path of one is a byte that is not UTF-8, which
    // the stream reads as the three of the replacement character.
    expect({ ...stats, bytes: stats.bytes + 2 }).toEqual(streamed.stats);
    expect(stats.blank).toBe(2);
  });

  it("streams back every line the SQL does not read, each with the line number the streamed read gives it", async () => {
    const selected = await readAll(readClickHouseCandidates({ ...options(), model }));
    const streamed = await readAll(readClickHouse(options()));
    const byLine = new Map(streamed.records.map((r) => [r.line, r]));
    for (const record of selected.records) expect(record).toEqual(byLine.get(record.line));
    // The lines the SQL hands back that oddity's parser reads come back whether or not they are rare.
    const handed = streamed.records.filter((r) => LEFT_TO_PARSER.includes(r.raw));
    expect(handed.length).toBeGreaterThanOrEqual(2);
    expect(selected.records).toEqual(expect.arrayContaining(handed));
  });

  it("names hostile and non-UTF-8 methods of flagged tuples as escaped literals, leaving the table intact", async () => {
    const plan = await planLineSplit({
      client,
      target: parseClickHouseUrl({ url, env: {} }),
      table: TABLE,
      column: COLUMN,
      primaryKey: "n",
      maxLineLength: MAX_LINE_LENGTH,
    });
    const condition = await candidateCondition({ client, model, lines: plan! });
    expect(condition.sql).toContain(chString("it's');DROP-TABLE-x;--"));
    expect(condition.sql).toContain(chString("TAB\tME"));
    expect(condition.sql).toContain(chString("\u001b[31mRED"));
    expect(condition.sql).toContain(`unhex(${chString("FE41")})`);
    const selected = await readAll(readClickHouseCandidates({ ...options(), model }));
    const methods = anomalies(selected.records).map((a) => a.record.method);
    expect(methods).toEqual(
      expect.arrayContaining(["it's');DROP-TABLE-x;--", "TAB\tME", "\u001b[31mRED", "\ufffdA"]),
    );
    const count = await client.query({
      query: `SELECT count() AS n FROM default.${chIdentifier(TABLE)}`,
      format: "JSONEachRow",
    });
    expect(Number((await count.json<{ n: string }>())[0]!.n)).toBe(rows);
  });

  it("judges each footprint's combinations once, as Node counts them over the same lines", async () => {
    // Lines the SQL reads, all of them: numbered paths share templates, and small footprints are covered
    // by larger ones (projected from their rows rather than grouped again).
    const agents = ["curl/8.0", "Mozilla/5.0 (X11)", "it's a bot"];
    const generated = Array.from({ length: 3000 }, (_, i) => {
      const path = i % 3 === 0 ? `/users/${i % 97}/profile` : `/static/a${i % 13}.css?v=${i % 5}`;
      const method = i % 11 === 0 ? "POST" : "GET";
      const status = [200, 404, 500, 304][i % 4];
      return `10.7.${i % 7}.${i % 50} - - [16/Apr/2019:${String(i % 24).padStart(2, "0")}:34:42 +0000] "${method} ${path} HTTP/1.1" ${status} ${(i * 37) % 900} "-" "${agents[i % 3]}"`;
    });
    await createLineTable({
      name: "plain_lines",
      local: "plain_local",
      values: generated.map((l, n) => `(${n}, ${chString(l)})`),
    });
    const read = { url, table: "plain_lines", column: "line", primaryKey: "n" };
    const { records } = await readAll(readClickHouse(read));
    expect(records.length).toBe(generated.length);
    const plan = await planLineSplit({ client, target: parseClickHouseUrl({ url, env: {} }), ...read });
    const { grouped } = await candidateCondition({ client, model, lines: plan! });
    const queries = planCandidates(model.pipeline, { derive: MAPPABLE_FIELDS })!.queries;
    const fieldsOf = new Map(queries.map(({ query }) => [query.key, query.fields]));
    let distinct = 0;
    for (const fields of fieldsOf.values()) {
      const readers = fields.map((f) => fieldReader(f));
      distinct += new Set(records.map((r) => JSON.stringify(readers.map((get) => get(r))))).size;
    }
    expect(grouped).toBe(distinct);
  });

  it("streams every row of lines the SQL does not split, as the streamed read does", async () => {
    const json = (n: number) => `{"remote_addr":"10.0.0.${n}","status":200,"request":"GET /${n} HTTP/1.1"}`;
    await createLineTable({
      name: "json_lines",
      local: "json_local",
      values: [1, 2, 3, 4].map((n) => `(${n}, ${chString(json(n))})`),
    });
    const read = { url, table: "json_lines", column: "line", primaryKey: "n" };
    const selected = await readAll(readClickHouseCandidates({ ...read, model }));
    const streamed = await readAll(readClickHouse(read));
    expect(selected.records.length).toBe(4);
    expect(selected).toEqual(streamed);
  });
});
