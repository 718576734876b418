import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readInputs, type LogRecord } from "@oddity/core";
import { TABLE_FIELDS, chIdentifier, chString } from "@oddity/source-clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The cluster the source's own tests start: two clickhouse-server processes on loopback.
import {
  CLUSTER_USER,
  recordColumns,
  startCluster,
  type Cluster,
} from "../../../packages/source-clickhouse/test/cluster.js";
import { EXAMPLES, fixture, ndjson, oddity, tempDir } from "./helpers.js";

const FILES = [path.join(EXAMPLES, "sample", "access.log"), fixture("engine", "tricky.log")];
const CONFIG = fixture("engine", "oddity.config.yaml");
const SAMPLE = path.join(EXAMPLES, "sample", "access.log");
// A raw-line table and column named with every character that ends an identifier or a literal.
const RAW_TABLE = "raw`; DROP TABLE x; -- 'q' \\ \"d\" \u001b[31m";
const RAW_COLUMN = "entry' \\` \"; DROP";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.createDistributedTable({
    name: "logs",
    columns: { ...recordColumns(TABLE_FIELDS), n: "UInt64" },
    key: "n",
  });
  const records: LogRecord[] = [];
  for await (const batch of readInputs({ inputs: FILES, format: { name: "combined" } }))
    records.push(...batch.records);
  await cluster.insertRows({
    table: "logs",
    rows: records.map((r, n) => ({ ...Object.fromEntries(TABLE_FIELDS.map((f) => [f, r[f]])), n })),
  });
  await cluster.createDistributedTable({
    name: RAW_TABLE,
    local: "raw_local",
    columns: { n: "UInt64", [RAW_COLUMN]: "String" },
    key: "n",
  });
  const lines = readFileSync(SAMPLE, "utf8").replace(/\n$/, "").split("\n");
  await cluster.insertValues({
    table: RAW_TABLE,
    columns: ["n", RAW_COLUMN],
    values: lines.map((l, n) => `(${n + 1}, ${chString(l)})`),
  });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

// NDJSON anomalies as comparable rows (no raw text), sorted: rows of equal score come in source order,
// and a table's source differs from the files'.
function sortedRows(text: string): string[] {
  return comparable(ndjson(text), { raw: false })
    .map((r) => JSON.stringify(r))
    .sort();
}

function modelWithoutSources(file: string): unknown {
  const { sources: _sources, ...rest } = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  return rest;
}

describe("oddity fit clickhouse://", () => {
  it("fits in the 2-shard cluster the model oddity fit writes from the same lines, but for sources", async () => {
    const dir = tempDir();
    const url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
    const ch = await oddity(["fit", url, "--table", "logs", "--config", CONFIG, "-o", "ch.json"], {
      cwd: dir,
    });
    const own = await oddity(["fit", ...FILES, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([ch.code, own.code, ch.stderr]).toEqual([
      0,
      0,
      // 10,018 lines less the four of tricky.log that the combined reader now rejects: a user with a
      // space and three timestamps that do not parse (31 February, second 61, a lower-case month).
      expect.stringContaining("model of 10,014 records"),
    ]);
    expect(modelWithoutSources(path.join(dir, "ch.json"))).toEqual(
      modelWithoutSources(path.join(dir, "own.json")),
    );
  });

  it("never prints the password, masking it in the error when the server refuses it", async () => {
    const url = `clickhouse://default:s3cr3t-pw@127.0.0.1:${cluster.http[0]}/default`;
    const { code, stderr } = await oddity([
      "fit",
      url,
      "--table",
      "logs",
      "--config",
      CONFIG,
      "-o",
      "m.json",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(`clickhouse://default:***@127.0.0.1:${cluster.http[0]}/default`);
    expect(stderr).not.toContain("s3cr3t");
  });
});

describe("oddity fit|profile clickhouse:// --column (raw log lines)", () => {
  const raw = () => [
    `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`,
    "--table",
    RAW_TABLE,
    "--column",
    RAW_COLUMN,
  ];

  it("fits from the raw-line column of the 2-shard cluster the model oddity fit writes from the file", async () => {
    const dir = tempDir();
    const ch = await oddity(["fit", ...raw(), "--config", CONFIG, "-o", "ch.json"], { cwd: dir });
    const own = await oddity(["fit", SAMPLE, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([ch.code, own.code]).toEqual([0, 0]);
    expect(ch.stderr).toContain("model of 9,999 records");
    expect(modelWithoutSources(path.join(dir, "ch.json"))).toEqual(
      modelWithoutSources(path.join(dir, "own.json")),
    );
  });

  it("fits the raw-line column split in the cluster, reporting the lines and the rejection the file has", async () => {
    const dir = tempDir();
    const keyed = [...raw(), "--primary-key", "n", "--config", CONFIG];
    const ch = await oddity(["fit", ...keyed, "-o", "ch.json"], { cwd: dir });
    const own = await oddity(["fit", SAMPLE, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    const summary = (stderr: string) => /read [^;]*;/.exec(stderr)?.[0];
    expect([ch.code, summary(ch.stderr)]).toEqual([0, summary(own.stderr)]);
    expect(summary(ch.stderr)).toContain("9,999 parsed, 1 rejected");
    expect(modelWithoutSources(path.join(dir, "ch.json"))).toEqual(
      modelWithoutSources(path.join(dir, "own.json")),
    );
    // --strict stops at the line the file's reader stops at, numbered in key order.
    const strict = await oddity(["fit", ...keyed, "--strict", "-o", "s.json"], { cwd: dir });
    const ownStrict = await oddity(["fit", SAMPLE, "--strict", "-o", "s.json"], { cwd: dir });
    const where = (stderr: string) => /:(\d+: .*)$/m.exec(stderr)?.[1];
    expect([strict.code, where(strict.stderr)]).toEqual([2, where(ownStrict.stderr)]);
    expect(where(strict.stderr)).toMatch(/^8899: expected a closing quote/);
  });

  it("profiles times of the raw-line column in the log's own offset, as for the file", async () => {
    const args = ["--field", "time", "--field", "hour", "--top", "3"];
    const ch = await oddity(["profile", ...raw(), ...args]);
    const own = await oddity(["profile", SAMPLE, ...args]);
    expect([ch.code, own.code, ch.stdout]).toEqual([0, 0, own.stdout]);
    expect(ch.stdout).toContain("+00:00");
  });

  it("profiles the raw-line column as oddity profile prints the file", async () => {
    const args = ["--field", "status", "--field", "method", "--given", "ip", "--top", "5"];
    const ch = await oddity(["profile", ...raw(), ...args]);
    const own = await oddity(["profile", SAMPLE, ...args]);
    expect([ch.code, own.code, ch.stdout]).toEqual([0, 0, own.stdout]);
    expect(ch.stdout).toContain("status");
    // The sample's rejected line is named by the table, whose terminal escape is shown, not sent.
    expect(ch.stderr).toMatch(
      /1 line rejected; first clickhouse:\/\/default@127\.0\.0\.1:\d+\/default#raw`.*\\x1B\[31m:\d+: /,
    );
    expect(ch.stderr).not.toContain("\u001b");
  });
});

describe("the ClickHouse password from the environment or ~/.clickhouse-client/config.xml", () => {
  const { name, password } = CLUSTER_USER;
  const fit = (url: string, env: Record<string, string>) =>
    oddity(["fit", url, "--table", RAW_TABLE, "--column", RAW_COLUMN, "-o", "m.json"], { env });

  it("logs in with ODDITY_DB_PASSWORD and never prints it", async () => {
    const url = `clickhouse://${name}@127.0.0.1:${cluster.http[0]}/default`;
    const { code, stdout, stderr } = await fit(url, { ODDITY_DB_PASSWORD: password });
    expect([code, stderr]).toEqual([0, expect.stringContaining("model of 9,999 records")]);
    expect(stdout + stderr).not.toContain("s3cr3t");
  });

  it("logs in with the user and password of ~/.clickhouse-client/config.xml", async () => {
    const home = tempDir();
    mkdirSync(path.join(home, ".clickhouse-client"));
    const escaped = password.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
    writeFileSync(
      path.join(home, ".clickhouse-client", "config.xml"),
      `<config><user>${name}</user><password>${escaped}</password></config>`,
    );
    const url = `clickhouse://127.0.0.1:${cluster.http[0]}/default`;
    const { code, stdout, stderr } = await oddity(
      ["profile", url, "--table", RAW_TABLE, "--column", RAW_COLUMN, "--field", "status"],
      { env: { HOME: home } },
    );
    expect([code, stdout]).toEqual([0, expect.stringContaining("status")]);
    expect(stdout + stderr).not.toContain("s3cr3t");
  });

  it("says where a refused password came from, without printing it", async () => {
    const url = `clickhouse://${name}@127.0.0.1:${cluster.http[0]}/default`;
    const { code, stdout, stderr } = await fit(url, { CLICKHOUSE_PASSWORD: `${password}-wrong` });
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^oddity: error: clickhouse:\/\/oddity@127\.0\.0\.1:\d+\/default: .*Wrong password.* \(user oddity, password from CLICKHOUSE_PASSWORD\)$/,
      ),
    ]);
    expect(stdout + stderr).not.toContain("s3cr3t");
  });

  it("fits as a read-only user, who may not ask for compression, and says so when the URL insists", async () => {
    // `reader` has readonly=1: it may change no setting, gzip responses (enable_http_compression) included.
    const base = `clickhouse://reader@127.0.0.1:${cluster.http[0]}/default`;
    const plain = await fit(base, {});
    expect([plain.code, plain.stderr]).toEqual([0, expect.stringContaining("model of 9,999 records")]);
    const refused = await fit(`${base}?compression=1`, {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("may not change settings: drop ?compression=1 from the URL");
  });

  it("prints no password in --help", async () => {
    const { code, stdout, stderr } = await oddity(["fit", "--help"], {
      env: { ODDITY_DB_PASSWORD: password },
    });
    expect(code).toBe(0);
    expect(stdout).toContain("--column");
    expect(stdout + stderr).not.toContain("s3cr3t");
  });
});

describe("oddity profile clickhouse:// --table (parsed columns, counted in the cluster)", () => {
  const table = () => [`clickhouse://default@127.0.0.1:${cluster.http[0]}/default`, "--table", "logs"];
  // The table holds the files' records as the combined reader parsed them.
  const files = () => [...FILES, "--log-format", "combined"];

  it("prints the tables oddity profile prints for the same lines", async () => {
    const ch = await oddity(["profile", ...table()]);
    const own = await oddity(["profile", ...files()]);
    expect([ch.code, own.code, ch.stdout]).toEqual([0, 0, own.stdout]);
    expect(ch.stdout).toContain("user_agent");
    // Counted in the cluster: the table's records, with no lines to reject.
    expect(ch.stderr).toMatch(/^oddity: read 10,014 lines: 10,014 parsed, 0 rejected, 0 blank; in /);
  });

  it("prints every row of conditional and derived tables, JSON included, as for the file", async () => {
    const args = ["--given", "ip", "--field", "status", "--field", "path_template", "--format", "json"];
    const ch = await oddity(["profile", ...table(), ...args]);
    const own = await oddity(["profile", ...files(), ...args]);
    expect([ch.code, own.code]).toEqual([0, 0]);
    expect(JSON.parse(ch.stdout)).toEqual(JSON.parse(own.stdout));
  });

  it("shows times in the log's own offset, as for the file", async () => {
    const args = ["--field", "time", "--field", "hour", "--top", "3"];
    const ch = await oddity(["profile", ...table(), ...args]);
    const own = await oddity(["profile", ...files(), ...args]);
    expect([ch.code, own.code, ch.stdout]).toEqual([0, 0, own.stdout]);
  });
});

// A finding row as it would read for the file, from the things the two share: always the table's name
// and the row key (here `n`, the line number in the file) differ; with `raw: false` (parsed columns hold
// no log line: `raw` shows the row as JSON) so do line numbers, which count the file's rejected lines.
function comparable(rows: unknown[], { raw }: { raw: boolean }): unknown[] {
  return rows.map((row) => {
    const { source: _source, extra: _extra, raw: text, line, ...rest } = row as Record<string, unknown>;
    return raw ? { ...rest, line, raw: text } : rest;
  });
}

describe("oddity detect|score clickhouse:// (records streamed back, scored in Node)", () => {
  const url = () => `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
  const rawTable = () => [url(), "--table", RAW_TABLE, "--column", RAW_COLUMN, "--primary-key", "n"];
  const NDJSON = ["--config", CONFIG, "--format", "ndjson", "--top", "0", "-q"];

  it("detects in the raw-line column the anomalies oddity detect finds in the file, line for line", async () => {
    const ch = await oddity(["detect", ...rawTable(), ...NDJSON]);
    const own = await oddity(["detect", SAMPLE, ...NDJSON]);
    expect([ch.code, own.code, ch.stderr]).toEqual([0, 0, ""]);
    const rows = ndjson(ch.stdout) as Array<{ line: number; extra: unknown }>;
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row.extra).toEqual({ primary_key: String(row.line) });
    expect(comparable(rows, { raw: true })).toEqual(comparable(ndjson(own.stdout), { raw: true }));
  });

  it("scores the raw-line column against a model as it scores the file", async () => {
    const dir = tempDir();
    expect((await oddity(["fit", SAMPLE, "--config", CONFIG, "-o", "m.json", "-q"], { cwd: dir })).code).toBe(
      0,
    );
    const ch = await oddity(["score", ...rawTable(), "--model", "m.json", ...NDJSON], { cwd: dir });
    const own = await oddity(["score", SAMPLE, "--model", "m.json", ...NDJSON], { cwd: dir });
    expect([ch.code, own.code]).toEqual([0, 0]);
    expect(comparable(ndjson(ch.stdout), { raw: true })).toEqual(
      comparable(ndjson(own.stdout), { raw: true }),
    );
  });

  it("detects in a table of parsed columns the anomalies found in the same lines", async () => {
    const ch = await oddity(["detect", url(), "--table", "logs", "--primary-key", "n", ...NDJSON]);
    const own = await oddity(["detect", ...FILES, "--log-format", "combined", ...NDJSON]);
    expect([ch.code, own.code]).toEqual([0, 0]);
    // Rows of equal score come in source order, and the sources differ: compared as sets.
    expect(sortedRows(ch.stdout)).toEqual(sortedRows(own.stdout));
    expect(sortedRows(ch.stdout).length).toBeGreaterThan(10);
  });
});

describe("oddity detect|score clickhouse:// --primary-key (only the records the model could flag come back)", () => {
  const table = () => [
    `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`,
    "--table",
    "logs",
    "--primary-key",
    "n",
  ];
  const NDJSON = ["--config", CONFIG, "--format", "ndjson", "--top", "0", "-q"];
  const summary = (stdout: string) =>
    (JSON.parse(stdout) as { summary: { read: number; parsed: number; bytes: number } }).summary;

  it("prints, line for line, what detect prints streaming every record (as --report does)", async () => {
    const dir = tempDir();
    const selected = await oddity(["detect", ...table(), ...NDJSON], { cwd: dir });
    const every = await oddity(["detect", ...table(), ...NDJSON, "--report", "r.html"], { cwd: dir });
    expect([selected.code, every.code, selected.stdout]).toEqual([0, 0, every.stdout]);
    expect(ndjson(selected.stdout).length).toBeGreaterThan(10);
  });

  it("selects in a raw-line column what detect prints streaming every line, the rest left in the cluster", async () => {
    const dir = tempDir();
    const raw = [table()[0]!, "--table", RAW_TABLE, "--column", RAW_COLUMN, "--primary-key", "n"];
    const json = ["--config", CONFIG, "--format", "json", "--top", "0", "-q"];
    const selected = await oddity(["detect", ...raw, ...json], { cwd: dir });
    const every = await oddity(["detect", ...raw, ...json, "--report", "r.html"], { cwd: dir });
    expect([selected.code, every.code, selected.stderr]).toEqual([0, 0, ""]);
    const [few, all] = [selected.stdout, every.stdout].map(
      (text) => JSON.parse(text) as { summary: { unscored: number; read: number }; anomalies: unknown[] },
    );
    // Every anomaly, line and figure of the run that streams every line; only these lines stayed behind.
    expect(few!.summary.unscored).toBeGreaterThan(few!.summary.read / 2);
    expect({ ...few, summary: { ...few!.summary, unscored: 0 } }).toEqual(all);
    expect(few!.anomalies.length).toBeGreaterThan(10);
    const ndjsonArgs = ["--config", CONFIG, "--format", "ndjson", "--top", "0", "-q"];
    const lines = await oddity(["detect", ...raw, ...ndjsonArgs], { cwd: dir });
    const streamed = await oddity(["detect", ...raw, ...ndjsonArgs, "--report", "r.html"], { cwd: dir });
    expect([lines.code, lines.stdout]).toEqual([0, streamed.stdout]);
  });

  it("selects for a read-only user as for any other: the same lines", async () => {
    const dir = tempDir();
    const reader = [`clickhouse://reader@127.0.0.1:${cluster.http[0]}/default`, ...table().slice(1)];
    const ro = await oddity(["detect", ...reader, ...NDJSON], { cwd: dir });
    const rw = await oddity(["detect", ...table(), ...NDJSON], { cwd: dir });
    // Each record's source names the user it was read as.
    const asDefault = ro.stdout.replaceAll("clickhouse://reader@", "clickhouse://default@");
    expect([ro.code, ro.stderr, asDefault]).toEqual([0, "", rw.stdout]);
    expect(ndjson(ro.stdout).length).toBeGreaterThan(10);
  });

  it("counts every row as read and parsed, though far fewer bytes came back", async () => {
    const dir = tempDir();
    const args = ["--config", CONFIG, "--format", "json", "--top", "0", "-q"];
    const selected = await oddity(["detect", ...table(), ...args], { cwd: dir });
    const every = await oddity(["detect", ...table(), ...args, "--report", "r.html"], { cwd: dir });
    expect([selected.code, every.code]).toEqual([0, 0]);
    const [few, all] = [summary(selected.stdout), summary(every.stdout)];
    expect([few.read, few.parsed, all.read, all.parsed]).toEqual([10_014, 10_014, 10_014, 10_014]);
    expect(few.bytes).toBeLessThan(all.bytes / 4);
  });

  it("fits in the cluster and detects with the default pipeline the anomalies of the same lines", async () => {
    const dir = tempDir();
    const args = ["--format", "ndjson", "--top", "0", "-q"];
    const ch = await oddity(["detect", ...table(), ...args], { cwd: dir });
    const own = await oddity(["detect", ...FILES, "--log-format", "combined", ...args], { cwd: dir });
    expect([ch.code, own.code]).toEqual([0, 0]);
    expect(sortedRows(ch.stdout)).toEqual(sortedRows(own.stdout));
    expect(sortedRows(ch.stdout).length).toBeGreaterThan(10);
  });

  it("scores against a model the anomalies scoring the same lines finds", async () => {
    const dir = tempDir();
    const files = [...FILES, "--log-format", "combined"];
    const fit = await oddity(["fit", ...files, "--config", CONFIG, "-o", "m.json", "-q"], { cwd: dir });
    expect(fit.code).toBe(0);
    const ch = await oddity(["score", ...table(), "--model", "m.json", ...NDJSON], { cwd: dir });
    const own = await oddity(["score", ...files, "--model", "m.json", ...NDJSON], { cwd: dir });
    expect([ch.code, own.code]).toEqual([0, 0]);
    // The sources differ, and so the order of rows of equal score: compared as sets.
    expect(sortedRows(ch.stdout)).toEqual(sortedRows(own.stdout));
    expect(sortedRows(ch.stdout).length).toBeGreaterThan(10);
  });
});

describe("oddity fit|profile|detect|score clickhouse:// --query (columns of other names and types)", () => {
  const url = () => `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
  // The table's columns renamed (aliases source-sql knows too) and retyped: `time` a DateTime, which
  // oddity reads back as epoch milliseconds; the key under a hostile alias.
  const KEY = "row'`; DROP TABLE logs; --";
  const QUERY = `SELECT ip AS client_ip, ident, user, toDateTime(intDiv(time, 1000)) AS timestamp, time_text,
    method, path, http_version AS protocol, toUInt16(status) AS status_code, size AS bytes, referer,
    user_agent AS agent, n AS ${chIdentifier(KEY)} FROM default.logs`;
  const files = () => [...FILES, "--log-format", "combined"];
  const NDJSON = ["--config", CONFIG, "--format", "ndjson", "--top", "0", "-q"];

  it("fits in the cluster through the query the model oddity fit writes from the same lines, but for sources", async () => {
    const dir = tempDir();
    const ch = await oddity(["fit", url(), "--query", QUERY, "--config", CONFIG, "-o", "ch.json"], {
      cwd: dir,
    });
    const own = await oddity(["fit", ...files(), "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([ch.code, own.code, ch.stderr]).toEqual([
      0,
      0,
      expect.stringContaining("model of 10,014 records"),
    ]);
    expect(modelWithoutSources(path.join(dir, "ch.json"))).toEqual(
      modelWithoutSources(path.join(dir, "own.json")),
    );
    const { sources } = JSON.parse(readFileSync(path.join(dir, "ch.json"), "utf8")) as { sources: string[] };
    expect(sources).toEqual([
      expect.stringMatching(/^clickhouse:\/\/default@127\.0\.0\.1:\d+\/default#\(SELECT ip AS client_ip, /),
    ]);
  });

  it("scores with --primary-key only the rows the model could flag, finding what scoring the lines finds", async () => {
    const dir = tempDir();
    const fit = await oddity(["fit", ...files(), "--config", CONFIG, "-o", "m.json", "-q"], { cwd: dir });
    expect(fit.code).toBe(0);
    const keyed = [url(), "--query", QUERY, "--primary-key", KEY, "--model", "m.json"];
    const ch = await oddity(["score", ...keyed, ...NDJSON], { cwd: dir });
    const own = await oddity(["score", ...files(), "--model", "m.json", ...NDJSON], { cwd: dir });
    expect([ch.code, own.code, ch.stderr]).toEqual([0, 0, ""]);
    expect(sortedRows(ch.stdout)).toEqual(sortedRows(own.stdout));
    expect(sortedRows(ch.stdout).length).toBeGreaterThan(10);
    const keys = (ndjson(ch.stdout) as Array<{ extra: { primary_key: string } }>).map((r) => r.extra);
    expect(keys.every((extra) => /^\d+$/.test(extra.primary_key))).toBe(true);
    // Every row counted as read, though only candidates came back.
    const json = await oddity(["score", ...keyed, "--config", CONFIG, "--format", "json", "-q"], {
      cwd: dir,
    });
    const { summary } = JSON.parse(json.stdout) as { summary: { read: number; parsed: number } };
    expect([json.code, summary.read, summary.parsed]).toEqual([0, 10_014, 10_014]);
  });

  it("detects through the query the anomalies found in the same lines", async () => {
    const ch = await oddity(["detect", url(), "--query", QUERY, "--primary-key", KEY, ...NDJSON]);
    const own = await oddity(["detect", ...files(), ...NDJSON]);
    expect([ch.code, own.code]).toEqual([0, 0]);
    expect(sortedRows(ch.stdout)).toEqual(sortedRows(own.stdout));
  });

  it("profiles through the query the tables oddity profile prints for the same lines", async () => {
    const args = ["--given", "ip", "--field", "status", "--field", "hour", "--top", "5"];
    const ch = await oddity(["profile", url(), "--query", QUERY, ...args]);
    const own = await oddity(["profile", ...files(), ...args]);
    expect([ch.code, own.code, ch.stdout]).toEqual([0, 0, own.stdout]);
  });

  it("refuses --query with --table or --column, saying which to drop", async () => {
    const withTable = await oddity(["fit", url(), "--query", QUERY, "--table", "logs", "-o", "m.json"]);
    expect([withTable.code, withTable.stderr]).toEqual([
      2,
      expect.stringContaining("give either --table or --query, not both: drop --table"),
    ]);
    const withColumn = await oddity(["profile", url(), "--query", QUERY, "--column", "path"]);
    expect([withColumn.code, withColumn.stderr]).toEqual([2, expect.stringContaining(": drop --column: ")]);
  });

  it("refuses a query with no record field, naming its columns, and a key it does not return", async () => {
    const none = await oddity([
      "fit",
      url(),
      "--query",
      "SELECT n, path AS p FROM default.logs",
      "-o",
      "m.json",
    ]);
    expect([none.code, none.stderr]).toEqual([
      2,
      expect.stringContaining("no column of the query is named like a record field"),
    ]);
    expect(none.stderr).toContain('its columns are "n", "p"');
    const key = await oddity(["detect", url(), "--query", QUERY, "--primary-key", "id", ...NDJSON]);
    expect([key.code, key.stderr]).toEqual([
      2,
      expect.stringContaining(
        'the query has no column "id" for the primary key (columns: "client_ip", "ident", ',
      ),
    ]);
  });
});
