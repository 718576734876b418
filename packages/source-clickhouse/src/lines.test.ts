import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import {
  MAPPABLE_FIELDS,
  countQueryFor,
  countRecords,
  createPipeline,
  fieldReader,
  planCounts,
  fitBatches,
  readInputs,
  type CountQuery,
  type CountResults,
  type InputStats,
  type LogRecord,
  type Model,
  type RecordBatch,
  type Rejection,
} from "@oddity/core";
import { rarity } from "@oddity/detector-rarity";
import { fixture } from "@oddity/fixtures";
import { derivedPipeline, withoutSources } from "../test/pipelines.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../test/cluster.js";
import {
  TABLE_FIELDS,
  chString,
  countLinesInClickHouse,
  fitLinesInClickHouse,
  parseClickHouseUrl,
  planLineSplit,
  readClickHouse,
  type LineSplitPlan,
} from "./index.js";

// Names holding every character that ends an identifier or a literal; a column named like the split's
// own aliases, which must not be shadowed.
const TABLE = "lines`; DROP TABLE x; -- 'q' \\ \"d\"";
const COLUMN = "entry' \\` \"; DROP";
const SHADOW = "oddity_line";
const NULLABLE_TABLE = "nullable lines";

const head = (ip: string, time: string) => `${ip} - - [${time}]`;
const tail = ` "GET /x HTTP/1.1" 200 5 "-" "curl/8.0"`;

// Dates the SQL must read as oddity's parser does, or hand back: leap years, days a month lacks, the
// 60th second, offsets, years below 1000.
function dateLines(): string[] {
  const lines: string[] = [];
  const years = ["1000", "1582", "1900", "1970", "2000", "2023", "2024", "2100", "2400", "9999", "0999"];
  const months = ["Jan", "Feb", "Mar", "Apr", "Jun", "Sep", "Nov", "Dec", "jan", "Sept"];
  const days = ["00", "01", "28", "29", "30", "31", "32"];
  const clocks = ["00:00:00 +0000", "23:59:60 -0700", "24:00:00 +0000", "12:00:00 +2359", "12:00:00 +2400"];
  let i = 0;
  for (const year of years)
    for (const month of months)
      for (const day of days) {
        const clock = clocks[i++ % clocks.length]!;
        lines.push(`${head("10.1.0.1", `${day}/${month}/${year}:${clock}`)}${tail}`);
      }
  lines.push(`${head("10.1.0.2", "16/Apr/2019:19:34:42")}${tail}`);
  lines.push(`${head("10.1.0.2", "16/Apr/2019:19:34:42 +05:30")}${tail}`);
  lines.push(`${head("10.1.0.2", "6/Apr/2019:19:34:42 +0000")}${tail}`);
  return lines;
}

// Lines of every shape at the edge of what the SQL reads.
const HOSTILE = [
  `::1 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`,
  `[::1] - - [16/Apr/2019:19:34:42 +0000] "GET /bracketed HTTP/1.1" 200 1 "-" "-"`,
  `fe80::1%eth0 - - [16/Apr/2019:19:34:42 +0000] "GET /zone HTTP/1.1" 200 1 "-" "-"`,
  `1.2.3.4 [01/Jan/2000:00:00:00] - [16/Apr/2019:19:34:42 +0000] "GET /ident-bracket HTTP/1.1" 200 1 "-" "-"`,
  `host.example.com - - [16/Apr/2019:19:34:42 +0000] "GET /host HTTP/1.1" 200 1 "-" "-"`,
  `1.2.3.4, 5.6.7.8 - - [16/Apr/2019:19:34:42 +0000] "GET /list HTTP/1.1" 200 1 "-" "-"`,
  `- - - [16/Apr/2019:19:34:42 +0000] "GET /dash-client HTTP/1.1" 200 1 "-" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /nul\u0000byte HTTP/1.1" 200 1 "-" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /a\rb HTTP/1.1" 200 1 "-" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /big HTTP/1.1" 200 123456789012345 "-" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /bigger HTTP/1.1" 200 1234567890123456 "-" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /dashes HTTP/1.1" - - "-" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET -" 200 1 "-" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET  " 200 1 "" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /tab\there HTTP/1.1" 200 1 "ref\there" "-"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /a HTTP/1.1" 200 1 "-" "-" "trailing"`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /a HTTP/1.1" 200 1`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /a HTTP/1.1" 200 1 "-" "-"\u00a0`,
  `1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /日本 HTTP/1.1" 200 1 "-" "✓ ${"é".repeat(40)}"`,
  `\u001b[31m1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /escape HTTP/1.1" 200 1 "-" "-"`,
];

let cluster: Cluster;
let client: ClickHouseClient;
const clients: ClickHouseClient[] = [];
let url: string;
let lines: string[];
let dir: string;

/** Creates a table on both shards and its Distributed table, and inserts `values` (SQL tuples) through it. */
async function createTable({
  name,
  columns,
  values,
}: {
  name: string;
  columns: Record<string, string>;
  values: string[];
}): Promise<void> {
  await cluster.createDistributedTable({ name, columns, key: "n" });
  await cluster.insertValues({ table: name, values });
}

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.http) clients.push(createClient({ url: `http://127.0.0.1:${port}` }));
  client = clients[0]!;
  url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
  const read = (file: string) => readFileSync(file, "utf8").replace(/\n$/, "").split("\n");
  lines = [
    ...read(fixture("elastic-apache/apache_logs")),
    ...read(path.join(import.meta.dirname, "../test/fixtures/tricky.log")),
    ...dateLines(),
    ...HOSTILE,
  ];
  dir = mkdtempSync(path.join(tmpdir(), "oddity-lines-"));
  writeFileSync(path.join(dir, "lines.log"), `${lines.join("\n")}\n`);
  await createTable({
    name: TABLE,
    columns: { n: "UInt64", [COLUMN]: "String", [SHADOW]: "String" },
    values: lines.map((l, i) => `(${i + 1}, ${chString(l)}, 'x')`),
  });
  // NULL rows, newlines the rows keep from a file, bytes that are not UTF-8, blank and long lines.
  const sample = lines.slice(0, 400).map(chString);
  await createTable({
    name: NULLABLE_TABLE,
    columns: { n: "UInt64", line: "Nullable(String)" },
    values: [
      ...sample,
      "NULL",
      chString(""),
      chString(" \t "),
      chString(`${lines[0]}\n`),
      chString(`${lines[1]}\r\n`),
      chString(`${lines[2]}\r`),
      `concat(${chString(HOSTILE[0]!.slice(0, -5))}, unhex('FF'), ${chString('x" "-"')})`,
      `concat(${chString(HOSTILE[0]!.slice(0, -5))}, unhex('FE'), ${chString('x" "-"')})`,
      `concat(${chString(HOSTILE[0]!.slice(0, -5))}, unhex('C3'), ${chString('x" "-"')})`,
      // Paths whose bytes are not UTF-8: two that read as the same text, one beside a quote.
      ...["FF", "FE", "C327"].map(
        (hex) =>
          `concat(${chString('1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /bytes/')}, unhex('${hex}'), ${chString(`/7?q='x HTTP/1.1" 200 1 "-" "-"`)})`,
      ),
      chString(HOSTILE[18]!),
    ].map((v, i) => `(${i + 1}, ${v})`),
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const counts = ({ read, parsed, rejected, blank }: InputStats) => ({ read, parsed, rejected, blank });

/** The streamed read of the same column: its model, stats and rejections. */
async function streamed({
  table,
  column,
  primaryKey,
  maxLineLength,
}: {
  table: string;
  column: string;
  primaryKey?: string;
  maxLineLength?: number;
}): Promise<{ model: Model; stats: InputStats; rejections: Rejection[] }> {
  const stream = readClickHouse({ url, table, column, primaryKey, maxLineLength });
  const rejections: Rejection[] = [];
  async function* tap(): AsyncGenerator<RecordBatch> {
    for await (const batch of stream) {
      rejections.push(...batch.rejections);
      yield batch;
    }
  }
  const { model } = await fitBatches({ pipeline: derivedPipeline({ rest: true }), batches: tap() });
  return { model, stats: stream.stats, rejections };
}

/** Each query's count rows, keyed by their values and bin, in key order. */
function countedTables(
  queries: readonly CountQuery[],
  results: CountResults,
): Map<string, Map<string, number>> {
  return new Map(
    queries.map((q) => {
      const rows = new Map<string, number>();
      for (const row of results.get(q.key) ?? []) {
        const key = JSON.stringify([row.values, row.bin ?? null]);
        rows.set(key, (rows.get(key) ?? 0) + row.count);
      }
      return [q.key, new Map([...rows].sort())];
    }),
  );
}

/** The SQL's rows and the handed-back records' together: what oddity counts over every record. */
function splitAndHanded({
  queries,
  results,
  handed,
}: {
  queries: readonly CountQuery[];
  results: CountResults;
  handed: readonly LogRecord[];
}): Map<string, Map<string, number>> {
  const sum = countedTables(queries, results);
  for (const [key, rows] of countedTables(queries, countRecords(queries, handed)))
    for (const [row, n] of rows) sum.get(key)!.set(row, (sum.get(key)!.get(row) ?? 0) + n);
  return new Map([...sum].map(([key, rows]) => [key, new Map([...rows].sort())]));
}

/** `queries` counted over the lines table split in SQL, keyed by `n`, and the records it handed back. */
async function countKeyed(queries: readonly CountQuery[]) {
  const handed: LogRecord[] = [];
  const got = await countLinesInClickHouse({
    client,
    plan: await plan({ table: TABLE, column: COLUMN, primaryKey: "n" }),
    queries,
    onRecord: (record) => handed.push(record),
  });
  return { got, handed };
}

async function plan(options: {
  table: string;
  column: string;
  primaryKey?: string;
  maxLineLength?: number;
}): Promise<LineSplitPlan> {
  const found = await planLineSplit({ client, target: parseClickHouseUrl({ url, env: {} }), ...options });
  if (found === null) throw new Error("the column is not split in SQL");
  return found;
}

describe("a raw-line column split in ClickHouse SQL", () => {
  it("fits the model oddity fit writes from the same lines in a file, with its stats and rejections", async () => {
    const fit = await fitLinesInClickHouse({
      pipeline: derivedPipeline({ rest: true }),
      client,
      plan: await plan({ table: TABLE, column: COLUMN, primaryKey: "n" }),
    });
    const rejections: Rejection[] = [];
    const batches = readInputs({ inputs: [path.join(dir, "lines.log")] });
    async function* tap(): AsyncGenerator<RecordBatch> {
      for await (const batch of batches) {
        rejections.push(...batch.rejections);
        yield batch;
      }
    }
    const own = await fitBatches({ pipeline: derivedPipeline({ rest: true }), batches: tap() });
    expect(withoutSources(fit.model)).toEqual(withoutSources(own.model));
    expect(counts(fit.stats)).toEqual(counts(own.stats));
    expect(fit.stats.layouts).toEqual(own.stats.layouts);
    expect(fit.stats.rejectedBy).toEqual(own.stats.rejectedBy);
    const shown = (r: Rejection) => [r.line, r.reason, r.excerpt];
    expect(fit.rejections.map(shown)).toEqual(rejections.map(shown));
    expect(fit.rejections.length).toBeGreaterThan(10);
  });

  it("equals the streamed read of the column: model, stats and every rejection with its line number", async () => {
    const options = { table: TABLE, column: COLUMN, primaryKey: "n" };
    const fit = await fitLinesInClickHouse({
      pipeline: derivedPipeline({ rest: true }),
      client,
      plan: await plan(options),
    });
    const own = await streamed(options);
    expect(withoutSources(fit.model)).toEqual(withoutSources(own.model));
    expect(fit.model.meta.sources).toEqual(own.model.meta.sources);
    expect(fit.stats).toEqual(own.stats);
    expect(fit.rejections).toEqual(own.rejections);
  });

  it("reads NULL, blank, long and non-UTF-8 rows and kept newlines as the streamed read does", async () => {
    const options = { table: NULLABLE_TABLE, column: "line", primaryKey: "n", maxLineLength: 150 };
    const fit = await fitLinesInClickHouse({
      pipeline: derivedPipeline({ rest: true }),
      client,
      plan: await plan(options),
    });
    const own = await streamed(options);
    expect(withoutSources(fit.model)).toEqual(withoutSources(own.model));
    // Bytes are the table's: each byte that is not UTF-8 is one, where the stream counts the three of the
    // replacement character it reads.
    expect({ ...fit.stats, bytes: fit.stats.bytes + 6 * 2 }).toEqual(own.stats);
    expect(fit.rejections).toEqual(own.rejections);
    expect(fit.rejections.map((r) => r.reason)).toContain("line is NULL");
    expect(fit.stats.blank).toBe(2);
  });

  it("splits common lines, handing back the combined ones among them, as the streamed read reads them", async () => {
    // The first 2,000 lines of the sample without referer and user agent, and every 100th kept whole.
    const common = lines
      .slice(0, 2000)
      .map((l, i) => (i % 100 === 7 ? l : l.replace(/ "[^"]*" "[^"]*"$/, "")));
    await createTable({
      name: "common lines",
      columns: { n: "UInt64", line: "String" },
      values: common.map((l, i) => `(${i + 1}, ${chString(l)})`),
    });
    const options = { table: "common lines", column: "line", primaryKey: "n" };
    const found = await plan(options);
    const fit = await fitLinesInClickHouse({
      pipeline: derivedPipeline({ rest: true }),
      client,
      plan: found,
    });
    const own = await streamed(options);
    expect([found.layout, found.format]).toEqual(["common", "common, auto-detected"]);
    expect(withoutSources(fit.model)).toEqual(withoutSources(own.model));
    expect(fit.stats).toEqual(own.stats);
    expect(fit.rejections).toEqual(own.rejections);
    expect(fit.stats.layouts).toEqual({ common: 1980, combined: 20 });
    expect(fit.handedBack).toBe(20);
  });

  it("numbers the lines in key order where the server pushes predicates into subqueries", async () => {
    const eager = createClient({
      url: `http://127.0.0.1:${cluster.http[0]}`,
      clickhouse_settings: { enable_optimize_predicate_expression: 1 },
    });
    try {
      const options = { table: TABLE, column: COLUMN, primaryKey: "n" };
      const found = await planLineSplit({
        client: eager,
        target: parseClickHouseUrl({ url, env: {} }),
        ...options,
      });
      const fit = await fitLinesInClickHouse({
        pipeline: derivedPipeline({ rest: true }),
        client: eager,
        plan: found!,
      });
      const own = await streamed(options);
      expect(fit.rejections).toEqual(own.rejections);
    } finally {
      await eager.close();
    }
  });

  it("numbers the rows as they come without a key, counting the same lines", async () => {
    const fit = await fitLinesInClickHouse({
      pipeline: derivedPipeline({ rest: true }),
      client,
      plan: await plan({ table: TABLE, column: COLUMN }),
    });
    const own = await streamed({ table: TABLE, column: COLUMN });
    expect(withoutSources(fit.model)).toEqual(withoutSources(own.model));
    expect(fit.stats).toEqual(own.stats);
    const reasons = (rs: Rejection[]) => rs.map((r) => `${r.reason} ${r.excerpt}`).sort();
    expect(reasons(fit.rejections)).toEqual(reasons(own.rejections));
  });

  it("splits every field of the lines it reads as oddity's parser does, times to the millisecond", async () => {
    const specs = [
      ...TABLE_FIELDS.map((field) => ({ id: field, fields: [field] })),
      { id: "time", fields: ["time", "time_text"] },
      { id: "size bins", fields: ["status"], bin: { field: "size", relativeAccuracy: 0.01 } },
      { id: "time bins", fields: [], bin: { field: "time", relativeAccuracy: 0.001 } },
    ];
    const queries: CountQuery[] = specs.map((spec) => countQueryFor(spec));
    const { got, handed } = await countKeyed(queries);
    const records: LogRecord[] = [];
    for await (const batch of readInputs({ inputs: [path.join(dir, "lines.log")] }))
      records.push(...batch.records);
    expect(splitAndHanded({ queries, results: got.results, handed })).toEqual(
      countedTables(queries, countRecords(queries, records)),
    );
    // Most lines are split in SQL; the odd ones only are handed back.
    expect(got.records).toBeGreaterThan(10_000);
    expect(got.handedBack).toBeGreaterThan(100);
    expect(got.handedBack).toBeLessThan(1_000);
  });

  it("counts the key as extra.primary_key, of the lines it splits and those it hands back, as the streamed read gives it", async () => {
    const queries = [
      countQueryFor({ id: "key", fields: ["primary_key"] }),
      countQueryFor({ id: "key and status", fields: ["primary_key", "status"] }),
    ];
    const { got, handed } = await countKeyed(queries);
    const records: LogRecord[] = [];
    for await (const batch of readClickHouse({ url, table: TABLE, column: COLUMN, primaryKey: "n" }))
      records.push(...batch.records);
    expect(splitAndHanded({ queries, results: got.results, handed })).toEqual(
      countedTables(queries, countRecords(queries, records)),
    );
    // A row per key: every record has its own.
    expect(got.results.get(queries[0]!.key)!.length).toBe(got.records);
    // The lines handed back to oddity's parser carry the key too.
    expect(handed.length).toBeGreaterThan(0);
    expect(handed.every((r) => r.extra?.primary_key === String(r.line))).toBe(true);
  });

  it("counts a row per template in the cluster, fewer than the distinct paths", async () => {
    const counts = planCounts(derivedPipeline({ rest: true }), "ClickHouse", { derive: MAPPABLE_FIELDS });
    const got = await countLinesInClickHouse({
      client,
      plan: await plan({ table: TABLE, column: COLUMN, primaryKey: "n" }),
      queries: counts.queries,
      derived: counts.derived,
      onRecord: () => {},
    });
    const records: LogRecord[] = [];
    for await (const batch of readInputs({ inputs: [path.join(dir, "lines.log")] }))
      records.push(...batch.records);
    const templates = got.results.get(JSON.stringify([["path_template"], null, null]))!;
    const template = fieldReader("path_template");
    const all = new Set(records.map(template));
    expect(templates.every((row) => all.has(row.values[0] as string | null))).toBe(true);
    // Numbered paths collapse: 1,525 paths, 1,435 templates among the lines the SQL read.
    expect(templates.length).toBeLessThan(new Set(records.map((r) => r.path)).size);
  });

  it("brings back fewer bytes than the table holds", async () => {
    const fit = await fitLinesInClickHouse({
      pipeline: createPipeline({ detectors: [{ use: "rarity", definition: rarity }] }),
      client,
      plan: await plan({ table: TABLE, column: COLUMN, primaryKey: "n" }),
    });
    expect(fit.bytes).toBeGreaterThan(0);
    expect(fit.bytes).toBeLessThan(fit.stats.bytes / 2);
  });

  it("stops with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    const found = await plan({ table: TABLE, column: COLUMN, primaryKey: "n" });
    const fitting = fitLinesInClickHouse({
      pipeline: derivedPipeline({ rest: true }),
      client,
      plan: found,
      signal: controller.signal,
    });
    controller.abort(new Error("stopped by the user"));
    await expect(fitting).rejects.toThrow("stopped by the user");
  });

  it("leaves LowCardinality and FixedString columns to the streamed read", async () => {
    await client.command({
      query:
        "CREATE TABLE default.odd_types (n UInt64, low LowCardinality(String), fixed FixedString(500)) ENGINE = MergeTree ORDER BY n",
      clickhouse_settings: { allow_experimental_low_cardinality_type: 1 },
    });
    await client.command({
      query: `INSERT INTO default.odd_types VALUES (1, ${chString(lines[0]!)}, ${chString(lines[0]!)})`,
    });
    const target = parseClickHouseUrl({ url, env: {} });
    const found = await Promise.all(
      ["low", "fixed"].map((column) => planLineSplit({ client, target, table: "odd_types", column })),
    );
    expect(found).toEqual([null, null]);
  });

  it("leaves lines of other formats to the streamed read", async () => {
    const json = '{"remote_addr":"1.2.3.4","status":200,"request":"GET / HTTP/1.1"}';
    await createTable({
      name: "json lines",
      columns: { n: "UInt64", line: "String" },
      values: [1, 2, 3].map((n) => `(${n}, ${chString(json)})`),
    });
    const found = await planLineSplit({
      client,
      target: parseClickHouseUrl({ url, env: {} }),
      table: "json lines",
      column: "line",
    });
    expect(found).toBeNull();
  });

  it("names the columns there are when the raw-line column does not exist", async () => {
    await expect(plan({ table: TABLE, column: "nope" })).rejects.toThrow(
      /no column "nope" \(columns: "n", "entry' \\\\` \\"; DROP", "oddity_line"\)/,
    );
  });
});
