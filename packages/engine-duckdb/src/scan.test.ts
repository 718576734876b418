import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { conditional } from "@oddity/detector-conditional";
import {
  InputError,
  countQueryFor,
  createPipeline,
  API_VERSION,
  createScorer,
  defineDetector,
  fitBatches,
  modelToJSON,
  readInputs,
  type FormatSpec,
  type InputStats,
  type LogRecord,
  type Model,
  type RecordStream,
} from "@oddity/core";
import { rarity } from "@oddity/detector-rarity";
import { size } from "@oddity/detector-size";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { countLines, fitWithDuckDB, openScan } from "./index.js";
import { sqlString } from "./sql-text.js";

const fixture = (name: string) => path.join(import.meta.dirname, "../test/fixtures", name);
const SAMPLE = fixture("sample.log.gz");
const TRICKY = fixture("tricky.log");
const COMMON = fixture("common.log");

const dir = mkdtempSync(path.join(tmpdir(), "oddity-duckdb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a stream gives, batch boundaries aside, and its totals. */
async function drain(stream: RecordStream) {
  const records: LogRecord[] = [];
  const rejections = [];
  let blank = 0;
  for await (const batch of stream) {
    records.push(...batch.records);
    rejections.push(...batch.rejections);
    blank += batch.blank;
  }
  // Key order too: the summary prints layouts and reasons in the order they were first met.
  return { records, rejections, blank, stats: JSON.parse(JSON.stringify(stream.stats)) as unknown };
}

async function scanned({
  files,
  layout = "combined",
  leftoverFormat,
  column,
  model,
  maxLineLength,
}: {
  files: string[];
  layout?: "common" | "combined";
  leftoverFormat?: FormatSpec;
  column?: string;
  model?: Model;
  maxLineLength?: number;
}) {
  const scan = await openScan({
    files,
    layout,
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    ...(leftoverFormat === undefined ? {} : { leftoverFormat }),
    ...(column === undefined ? {} : { column }),
    keepLines: true,
    threads: 2,
  });
  try {
    return await drain(scan.records({ batchSize: 100, ...(model === undefined ? {} : { model }) }));
  } finally {
    scan.close();
  }
}

async function duckdb(sql: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const statement of sql) await connection.run(statement);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const LINE_COLUMNS = `columns = {'line': 'VARCHAR'}, header = false, quote = '', escape = '', auto_detect = false, delim = '\u001f\u001e\u001d\u001c'`;

describe("openScan records", () => {
  it("gives every record, rejection and blank line oddity's reader gives, in order, on tricky and real lines", async () => {
    const duck = await scanned({ files: [TRICKY, SAMPLE] });
    const own = await drain(readInputs({ inputs: [TRICKY, SAMPLE], format: { name: "combined" } }));
    expect(duck).toEqual(own);
    expect([duck.records.length, duck.rejections.length]).toEqual([3015, 7]);
  });

  it("reads timestamps as oddity's parser does: every day 00 to 32 of every month, leap years and zones", async () => {
    const months = [
      "Jan",
      "Feb",
      "Mar",
      "Apr",
      "May",
      "Jun",
      "Jul",
      "Aug",
      "Sep",
      "Oct",
      "Nov",
      "Dec",
      "Foo",
    ];
    const years = [1000, 1582, 1600, 1900, 1969, 1970, 2000, 2015, 2016, 2024, 2100, 2400, 9999];
    const lines: string[] = [];
    for (const year of years) {
      for (const month of months) {
        for (let day = 0; day <= 32; day++) {
          // Offsets past 23 hours, hour 24 and a leap second among them: the edges of each reader.
          const zone = ["", " +0000", " -0930", " +1400", " +2400", " -2359", " +2360"][day % 7];
          const clock = ["23:59:60", "23:59:59", "00:00:00", "24:00:00", "12:34:56"][day % 5];
          const dd = String(day).padStart(2, "0");
          lines.push(`10.0.0.1 - - [${dd}/${month}/${year}:${clock}${zone}] "GET / HTTP/1.1" 200 1 "-" "t"`);
        }
      }
    }
    const file = path.join(dir, "times.log");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const duck = await scanned({ files: [file] });
    const own = await drain(readInputs({ inputs: [file], format: { name: "combined" } }));
    expect(duck).toEqual(own);
    expect(own.records.length).toBeGreaterThan(1500);
    // Rejected: every "Foo" month, days a month does not have (00, 31/Apr, 29/Feb/1900 ...), hour 24
    // and offsets past 23:59.
    expect(own.rejections.length).toBeGreaterThan(years.length * 33);
    // The SQL reads every time oddity's parser reads but a leap second, which it hands back.
    const counts = await countLines({ files: [file], layout: "combined", queries: [], onRecord: () => {} });
    expect(counts.records).toBe(own.records.filter((r) => !r.time_text!.includes(":60")).length);
  });

  it("reads the time from the last brackets of the head, whatever brackets the ident holds", async () => {
    const file = path.join(dir, "brackets.log");
    writeFileSync(
      file,
      [
        `1.2.3.4 [01/Jan/2000:00:00:00] - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 1 "-" "t"`,
        `1.2.3.4 [x] frank [16/Apr/2019:19:34:43 -0700] "GET / HTTP/1.1" 200 1 "-" "t"`,
        `1.2.3.4 - - [16/Apr/2019:19:34:44] "GET / HTTP/1.1" 200 1 "-" "t"`,
      ].join("\n"),
    );
    const duck = await scanned({ files: [file] });
    const own = await drain(readInputs({ inputs: [file], format: { name: "combined" } }));
    expect(duck).toEqual(own);
    expect(own.records.map((r) => r.time_text)).toEqual([
      "16/Apr/2019:19:34:42 +0000",
      "16/Apr/2019:19:34:43 -0700",
      "16/Apr/2019:19:34:44",
    ]);
  });

  it("counts layouts as the NCSA reader does, for auto-detected logs", async () => {
    const format: FormatSpec = { name: "ncsa", layout: "combined" };
    const duck = await scanned({ files: [TRICKY, SAMPLE], leftoverFormat: format });
    const own = await drain(readInputs({ inputs: [TRICKY, SAMPLE], format }));
    expect(duck).toEqual(own);
    expect(Object.keys((duck.stats as { layouts: object }).layouts).length).toBeGreaterThan(1);
  });

  it("reads common lines as oddity's parser does", async () => {
    const duck = await scanned({ files: [COMMON], layout: "common" });
    const own = await drain(readInputs({ inputs: [COMMON], format: { name: "common" } }));
    expect(duck).toEqual(own);
  });

  it("reads CRLF line ends and empty lines as oddity's reader does", async () => {
    const file = path.join(dir, "crlf.log");
    const line = '10.0.0.1 - - [16/Apr/2019:19:34:42 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8.0"';
    writeFileSync(file, `${line}\r\n\r\n${line}\r\n \n${line}`);
    const duck = await scanned({ files: [file] });
    const own = await drain(readInputs({ inputs: [file], format: { name: "combined" } }));
    expect(duck).toEqual(own);
  });

  it("reads raw lines from a Parquet column as from the log they came from", async () => {
    const parquet = path.join(dir, "lines.parquet");
    await duckdb([
      `COPY (SELECT line AS "entry line" FROM read_csv(${sqlString(TRICKY)}, ${LINE_COLUMNS})) TO ${sqlString(parquet)} (FORMAT parquet)`,
    ]);
    const duck = await scanned({ files: [parquet], column: "entry line" });
    const own = await drain(readInputs({ inputs: [TRICKY], format: { name: "combined" } }));
    const asParquet = <T extends { source: string }>(items: T[]) =>
      items.map((item) => ({ ...item, source: parquet }));
    expect(duck.records).toEqual(asParquet(own.records));
    expect(duck.rejections).toEqual(asParquet(own.rejections));
    expect(duck.blank).toBe(own.blank);
    expect(own.rejections.length).toBeGreaterThan(0);
  });

  it("reads a Parquet file of parsed requests, TIMESTAMP time included, as the records they were", async () => {
    const own = await drain(readInputs({ inputs: [SAMPLE], format: { name: "combined" } }));
    const parquet = path.join(dir, "records.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await connection.run(
        `CREATE TABLE t (ip VARCHAR, ident VARCHAR, "user" VARCHAR, time_ms DOUBLE, time_text VARCHAR, method VARCHAR, path VARCHAR, http_version VARCHAR, status INTEGER, size BIGINT, referer VARCHAR, user_agent VARCHAR, raw VARCHAR, other VARCHAR)`,
      );
      const appender = await connection.createAppender("t");
      for (const r of own.records) {
        for (const value of [r.ip, r.ident, r.user]) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        if (r.time === null) appender.appendNull();
        else appender.appendDouble(r.time);
        for (const value of [r.time_text, r.method, r.path, r.http_version]) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        if (r.status === null) appender.appendNull();
        else appender.appendInteger(r.status);
        if (r.size === null) appender.appendNull();
        else appender.appendBigInt(BigInt(r.size));
        for (const value of [r.referer, r.user_agent, r.raw, "not a field"]) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.closeSync();
      await connection.run(
        `COPY (SELECT * EXCLUDE (time_ms), epoch_ms(CAST(time_ms AS BIGINT)) AS "time" FROM t) TO ${sqlString(parquet)} (FORMAT parquet)`,
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const duck = await scanned({ files: [parquet] });
    expect(duck.records).toEqual(own.records.map((r) => ({ ...r, source: parquet })));

    const pipeline = () => createPipeline({ detectors: [{ use: "conditional", definition: conditional }] });
    const fitted = await fitWithDuckDB({ pipeline: pipeline(), files: [parquet], layout: "combined" });
    const { model } = await fitBatches({
      pipeline: pipeline(),
      batches: readInputs({ inputs: [SAMPLE], format: { name: "combined" } }),
    });
    expect(modelToJSON(fitted.model)).toEqual({ ...modelToJSON(model), sources: [parquet] });
  });

  it("takes source and line from their columns, and shows the fields as raw JSON when there is no raw column", async () => {
    const parquet = path.join(dir, "located.parquet");
    await duckdb([
      `COPY (SELECT * FROM (VALUES ('web-1.log', 41, '10.0.0.1', 'GET', '', 200, epoch_ms(1555443282000)), (NULL, NULL, NULL, NULL, '/x', NULL, NULL)) AS t(source, line, ip, method, path, status, "time")) TO ${sqlString(parquet)} (FORMAT parquet)`,
    ]);
    const { records } = await scanned({ files: [parquet] });
    expect(records.map((r) => [r.source, r.line, r.ip, r.method, r.path, r.status, r.time, r.raw])).toEqual([
      [
        "web-1.log",
        41,
        "10.0.0.1",
        "GET",
        "",
        200,
        1555443282000,
        '{"source":"web-1.log","line":41,"ip":"10.0.0.1","method":"GET","path":"","status":200,"time":1555443282000}',
      ],
      [
        parquet,
        2,
        null,
        null,
        "/x",
        null,
        null,
        `{"source":${JSON.stringify(parquet)},"line":2,"ip":null,"method":null,"path":"/x","status":null,"time":null}`,
      ],
    ]);
  });

  it("gives the records of mixed files in the files' order, each line numbered within its own file", async () => {
    const parquet = path.join(dir, "between.parquet");
    await duckdb([
      `COPY (SELECT * FROM (VALUES ('10.0.0.1', '/first'), ('10.0.0.2', '/second')) AS t(ip, path)) TO ${sqlString(parquet)} (FORMAT parquet)`,
    ]);
    const files = [COMMON, parquet, TRICKY, SAMPLE];
    const alone = await Promise.all(files.map((file) => scanned({ files: [file] })));
    const mixed = await scanned({ files });
    expect(mixed.records).toEqual(alone.flatMap((scan) => scan.records));
    expect(mixed.rejections).toEqual(alone.flatMap((scan) => scan.rejections));
    expect(mixed.records.filter((r) => r.source === parquet).map((r) => [r.line, r.path])).toEqual([
      [1, "/first"],
      [2, "/second"],
    ]);
  });

  it("numbers each line by its place in the file when DuckDB reads the file on several threads", async () => {
    // Large enough for DuckDB to read in several buffers at once; each line's path holds its number.
    const file = path.join(dir, "numbered.log");
    const count = 400_000;
    const lines = Array.from(
      { length: count },
      (_, i) =>
        `10.0.${i % 250}.1 - - [16/Apr/2019:19:34:42 +0000] "GET /n/${i + 1} HTTP/1.1" 200 5 "-" "curl/8.0"`,
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
    const { records } = await scanned({ files: [file] });
    expect(records).toHaveLength(count);
    expect(records.filter((r) => r.path !== `/n/${r.line}`)).toEqual([]);
  });

  it("reads a line longer than its first read allows (over 1 MiB) as oddity's reader does", async () => {
    const file = path.join(dir, "long-line.log");
    const line = (p: string) => `10.0.0.1 - - [16/Apr/2019:19:34:42 +0000] "GET ${p} HTTP/1.1" 200 5 "-" "t"`;
    writeFileSync(file, `${[line("/a"), line(`/${"x".repeat(1_500_000)}`), line("/b")].join("\n")}\n`);
    const maxLineLength = 4_000_000;
    const duck = await scanned({ files: [file], maxLineLength });
    const own = await drain(readInputs({ inputs: [file], format: { name: "combined" }, maxLineLength }));
    expect(duck).toEqual(own);
    expect(duck.records.map((r) => r.path?.length)).toEqual([2, 1_500_001, 2]);
  });

  it("refuses a Parquet file with no record-field column, naming its columns", async () => {
    const parquet = path.join(dir, "entries.parquet");
    await duckdb([`COPY (SELECT 'a line' AS entry) TO ${sqlString(parquet)} (FORMAT parquet)`]);
    const scan = openScan({ files: [parquet], layout: "combined", keepLines: true });
    await expect(scan).rejects.toThrow(InputError);
    await expect(scan).rejects.toThrow(
      /no column is a record field .*its columns are "entry": name the one of raw log lines/,
    );
  });

  it("carries newlines and backslashes in Parquet values through intact", async () => {
    const parquet = path.join(dir, "hostile.parquet");
    const agent = "a\\nb\nc\\\\d\\";
    await duckdb([
      `COPY (SELECT ${sqlString("x\ny")} AS source, 7 AS line, ${sqlString(agent)} AS user_agent, ${sqlString("\\n")} AS path) TO ${sqlString(parquet)} (FORMAT parquet)`,
    ]);
    const { records } = await scanned({ files: [parquet] });
    expect(records.map((r) => [r.source, r.line, r.user_agent, r.path])).toEqual([["x\ny", 7, agent, "\\n"]]);
    // Counted too: the fit from DuckDB's count rows is the fit of the record.
    const pipeline = createPipeline({
      detectors: [
        {
          use: "conditional",
          definition: conditional,
          options: { pairs: [{ given: "user_agent", target: "path_template" }] },
        },
      ],
    });
    const duck = await fitWithDuckDB({ pipeline, files: [parquet], layout: "combined" });
    const own = await fitBatches({ pipeline, batches: [{ records, rejections: [], blank: 0, read: 1 }] });
    const { sources: _sources, ...counted } = modelToJSON(duck.model);
    const { sources: _own, ...observed } = modelToJSON(own.model);
    expect(counted).toEqual(observed);
    expect(JSON.stringify(counted.detectors)).toContain(JSON.stringify(agent));
  });

  it.each([
    ["a carriage return inside a line", Buffer.from("\r"), /a carriage return that does not end it/],
    ["DuckDB's column delimiter", Buffer.from("\u001f\u001e\u001d\u001c"), /the bytes 1F 1E 1D 1C/],
    ["bytes that are not UTF-8", Buffer.from([0xff, 0xfe]), /a line is not UTF-8/],
  ])("refuses a file with %s, which DuckDB would read as other lines", async (_name, inside, why) => {
    const file = path.join(dir, `inside-${inside.toString("hex")}.log`);
    const line = Buffer.from(
      '10.0.0.1 - - [16/Apr/2019:19:34:42 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8.0"',
    );
    writeFileSync(file, Buffer.concat([line, Buffer.from("\n"), line, inside, Buffer.from("x\n"), line]));
    const scan = openScan({ files: [file], layout: "combined", keepLines: true });
    await expect(scan).rejects.toThrow(InputError);
    await expect(scan).rejects.toThrow(/DuckDB could not read .*; read them without --engine/);
    await expect(scan).rejects.toThrow(why);
  });
});

describe("openScan records selected by a model", () => {
  const key = (r: LogRecord) => `${r.source}:${r.line}`;

  it("streams only the records the model could flag, every flagged one among them, and counts the rest", async () => {
    const format: FormatSpec = { name: "ncsa", layout: "combined" };
    const pipeline = createPipeline({
      detectors: [
        { use: "rarity", definition: rarity },
        { use: "conditional", definition: conditional },
        { use: "size", definition: size, options: { groupBy: ["path_template", "status"] } },
      ],
    });
    const { model } = await fitBatches({
      pipeline,
      batches: readInputs({ inputs: [TRICKY, SAMPLE], format }),
    });
    const all = await scanned({ files: [TRICKY, SAMPLE], leftoverFormat: format });
    const selected = await scanned({ files: [TRICKY, SAMPLE], leftoverFormat: format, model });
    const score = createScorer(model);
    const flagged = all.records.filter((r) => score(r) !== null).map(key);
    expect(flagged.length).toBeGreaterThan(20);
    expect(selected.records.map(key)).toEqual(expect.arrayContaining(flagged));
    expect(selected.records.length).toBeLessThan(all.records.length / 2);
    // The ones streamed are the full stream's records, in its order; the totals are the same.
    const byKey = new Map(all.records.map((r) => [key(r), r]));
    expect(selected.records).toEqual(selected.records.map((r) => byKey.get(key(r))));
    const at = new Map(all.records.map((r, i) => [key(r), i]));
    const positions = selected.records.map((r) => at.get(key(r))!);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // The totals are the same, but for the records kept in DuckDB, which the stats say.
    const { unscored, ...totals } = selected.stats as InputStats;
    expect(unscored).toBe(all.records.length - selected.records.length);
    expect([totals, selected.rejections, selected.blank]).toEqual([all.stats, all.rejections, all.blank]);
  });

  it("streams every record when a detector declares no footprints", async () => {
    const undeclared = defineDetector({
      meta: conditional.meta,
      create: (options, context) => ({ ...conditional.create(options, context), footprints: undefined }),
    });
    const pipeline = createPipeline({ detectors: [{ use: "plain", definition: undeclared }] });
    const { model } = await fitBatches({
      pipeline,
      batches: readInputs({ inputs: [SAMPLE], format: { name: "combined" } }),
    });
    const all = await scanned({ files: [SAMPLE] });
    expect(await scanned({ files: [SAMPLE], model })).toEqual(all);
    expect(all.records).toHaveLength(3000);
  });

  it("selects records whose flagged values are hostile SQL, the values travelling as data", async () => {
    const hostile = ["/'); DROP TABLE parsed; --", "/x' OR '1'='1", "/%27%3B--"];
    const lines = Array.from(
      { length: 300 },
      (_, i) =>
        `10.0.0.${i % 7} - - [16/Apr/2019:19:34:42 +0000] "GET /home HTTP/1.1" 200 512 "-" "curl/8.0"`,
    );
    hostile.forEach((p, i) =>
      lines.splice(
        40 * (i + 1),
        0,
        `10.0.9.${i} - - [16/Apr/2019:19:34:42 +0000] "GET ${p} HTTP/1.1" 404 9 "-" "x'y"`,
      ),
    );
    const file = path.join(dir, "hostile.log");
    writeFileSync(file, `${lines.join("\n")}\n`);
    // Flags every path holding a quote; its footprint is the path.
    const quotes = defineDetector({
      meta: { name: "quotes", description: "quoted paths", apiVersion: API_VERSION, options: z.object({}) },
      create: () => ({
        init: () => null,
        observe() {},
        merge: () => null,
        score: (_: null, record: LogRecord) =>
          record.path?.includes("'")
            ? [
                {
                  detector: "quotes",
                  kind: "quote",
                  fields: ["path"],
                  values: [record.path],
                  probability: 0.001,
                  surprisal: 10,
                  threshold: { name: "probability", direction: "below" as const, value: 0.01 },
                  counts: {},
                  message: "a quote",
                },
              ]
            : [],
        toJSON: () => null,
        fromJSON: () => null,
        footprints: [["path"]],
      }),
    });
    const pipeline = createPipeline({ detectors: [{ use: "quotes", definition: quotes }] });
    const format: FormatSpec = { name: "combined" };
    const { model } = await fitBatches({ pipeline, batches: readInputs({ inputs: [file], format }) });
    const selected = await scanned({ files: [file], model });
    expect(selected.records.map((r) => r.path)).toEqual(hostile.slice(0, 2));
    expect((selected.stats as { parsed: number }).parsed).toBe(303);
  });
});

describe("openScan counting only some fields", () => {
  const query = (id: string, fields: string[]) => countQueryFor({ id, fields });
  const count = async (countedFields: string[] | undefined, queries: ReturnType<typeof query>[]) => {
    const scan = await openScan({
      files: [TRICKY, SAMPLE],
      layout: "combined",
      ...(countedFields === undefined ? {} : { countedFields }),
    });
    try {
      const counts = await scan.count({ queries, onRecord: () => {} });
      return { results: [...counts.results], stats: counts.stats, timeRange: counts.timeRange };
    } finally {
      scan.close();
    }
  };

  it("counts the fields it keeps as a scan that keeps every field does", async () => {
    const queries = [query("a", ["status", "ip"]), query("b", ["user_agent"])];
    const some = await count(["status", "ip", "user_agent"], queries);
    expect(some).toEqual(await count(undefined, queries));
    expect(some.results.map(([, rows]) => rows.length > 1)).toEqual([true, true]);
  });

  it("refuses to count a field it was not opened to keep, naming it", async () => {
    await expect(count(["status"], [query("a", ["status", "referer"])])).rejects.toThrow(
      /count\(\) reads referer, which the scan was not opened to keep/,
    );
  });
});
