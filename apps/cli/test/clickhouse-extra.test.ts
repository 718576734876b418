import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readInputs, type LogRecord } from "@oddity/core";
import { TABLE_FIELDS, chIdentifier } from "@oddity/source-clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The cluster the source's own tests start: two clickhouse-server processes on loopback.
import {
  recordColumns,
  startCluster,
  type Cluster,
} from "../../../packages/source-clickhouse/test/cluster.js";
import { EXAMPLES, ndjson, oddity, tempDir } from "./helpers.js";

const SAMPLE = path.join(EXAMPLES, "sample", "access.log");
// Detectors over `vhost`, an extra field: the log's virtual host in the file, a column of the query.
const CONFIG = `detectors:
  - use: rarity
    options: { fields: [vhost, path_template, user_agent] }
  - use: conditional
    options:
      pairs:
        - { given: vhost, target: path_template }
        - { given: path_template, target: vhost }
        - { given: vhost, target: status }
`;

let cluster: Cluster;
let dir: string;
let log: string;

// A host per section of the site, and a few requests to a host that is rarely asked for.
function vhostOf(line: number, request: string): string {
  if (line % 997 === 0) return "old.example.org";
  if (request.includes('"GET /presentations/')) return "slides.example.org";
  if (request.includes('"GET /blog/')) return "blog.example.org";
  return "www.example.org";
}

beforeAll(async () => {
  dir = tempDir();
  writeFileSync(path.join(dir, "oddity.config.yaml"), CONFIG);
  // The sample with a virtual host before each line, as Apache's vhost_combined writes it.
  const lines = readFileSync(SAMPLE, "utf8").replace(/\n$/, "").split("\n");
  log = path.join(dir, "vhost.log");
  writeFileSync(log, lines.map((l, i) => `${vhostOf(i + 1, l)} ${l}\n`).join(""));
  const records: LogRecord[] = [];
  for await (const batch of readInputs({ inputs: [log] })) records.push(...batch.records);
  expect(records.every((r) => r.extra?.vhost !== undefined)).toBe(true);

  cluster = await startCluster();
  // The rows with the vhost in a column `host` (a --query renames it), and in a table of parsed columns
  // whose `vhost` column is read as the extra it names.
  for (const [name, column] of [
    ["vlogs", "host"],
    ["vhosts", "vhost"],
  ] as const) {
    await cluster.createDistributedTable({
      name,
      columns: { ...recordColumns(TABLE_FIELDS), [column]: "String", n: "UInt64" },
      key: "n",
    });
    await cluster.insertRows({
      table: name,
      rows: records.map((r) => ({
        ...Object.fromEntries(TABLE_FIELDS.map((f) => [f, r[f]])),
        [column]: r.extra!.vhost,
        n: r.line,
      })),
    });
  }
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

// An anomaly as comparable across inputs: its fields and findings, its vhost, and its line in the log (a
// row's key: the query's rows are numbered among themselves, and the log has a line it rejects).
function comparable(text: string): string[] {
  return ndjson(text)
    .map((row) => {
      const {
        source: _s,
        raw: _r,
        line,
        extra,
        ...rest
      } = row as Record<string, unknown> & {
        line: number;
        extra: Record<string, string> | null;
      };
      const at = extra?.primary_key === undefined ? line : Number(extra.primary_key);
      return JSON.stringify({ at, ...rest, vhost: extra?.vhost ?? null });
    })
    .sort();
}

function withoutSources(file: string): unknown {
  const { sources: _sources, ...rest } = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  return rest;
}

// The same rows read through a --query that renames a column to vhost, and through a table whose column
// is named so: either way vhost is an extra field.
const inputs = [
  {
    how: "--query",
    args: () => [
      `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`,
      "--query",
      `SELECT ${TABLE_FIELDS.map((f) => chIdentifier(f)).join(", ")}, host AS vhost, n FROM default.vlogs`,
    ],
  },
  {
    how: "--table",
    args: () => [`clickhouse://default@127.0.0.1:${cluster.http[0]}/default`, "--table", "vhosts"],
  },
];

describe.each(inputs)(
  "oddity fit|score|profile clickhouse:// $how with a column that is an extra field",
  ({ args }) => {
    it("fits pairs over its vhost in the cluster, the model oddity fit writes from the vhost log", async () => {
      const ch = await oddity(["fit", ...args(), "-o", "ch.json"], { cwd: dir });
      const own = await oddity(["fit", log, "-o", "own.json"], { cwd: dir });
      expect([ch.code, own.code, ch.stderr]).toEqual([
        0,
        0,
        expect.stringContaining("model of 9,999 records"),
      ]);
      const model = withoutSources(path.join(dir, "ch.json"));
      expect(model).toEqual(withoutSources(path.join(dir, "own.json")));
      expect(JSON.stringify(model)).toContain("old.example.org");
    });

    it("scores with --primary-key the rows flagged for their vhost, as scoring the log finds them", async () => {
      const fit = await oddity(["fit", log, "-o", "m.json", "-q"], { cwd: dir });
      expect(fit.code).toBe(0);
      const flags = ["--model", "m.json", "--format", "ndjson", "--top", "0", "-q"];
      const ch = await oddity(["score", ...args(), "--primary-key", "n", ...flags], { cwd: dir });
      const own = await oddity(["score", log, ...flags], { cwd: dir });
      expect([ch.code, own.code, ch.stderr]).toEqual([0, 0, ""]);
      const found = comparable(ch.stdout);
      expect(found).toEqual(comparable(own.stdout));
      expect(found.filter((a) => a.includes('"vhost":"old.example.org"')).length).toBeGreaterThan(3);
    });

    it("profiles its vhost in the cluster as oddity profile prints it for the log", async () => {
      const flags = ["--field", "vhost", "--given", "vhost", "--field", "status", "--top", "5"];
      const ch = await oddity(["profile", ...args(), ...flags], { cwd: dir });
      const own = await oddity(["profile", log, ...flags], { cwd: dir });
      expect([ch.code, own.code, ch.stdout]).toEqual([0, 0, own.stdout]);
      expect(ch.stdout).toContain("slides.example.org");
    });
  },
);

describe("oddity detect clickhouse:// --table with a column that is an extra field", () => {
  const table = inputs[1]!.args;

  it("fits the --primary-key in the cluster as extra.primary_key, as records streamed back carry it", async () => {
    const keyDir = path.join(dir, "key");
    mkdirSync(keyDir, { recursive: true });
    writeFileSync(
      path.join(keyDir, "oddity.config.yaml"),
      "detectors:\n  - use: conditional\n    options: { pairs: [{ given: primary_key, target: status }] }\n",
    );
    const ch = await oddity(["fit", ...table(), "--primary-key", "n", "-o", "key.json", "-q"], {
      cwd: keyDir,
    });
    expect([ch.code, ch.stderr]).toEqual([0, ""]);
    const model = JSON.parse(readFileSync(path.join(keyDir, "key.json"), "utf8")) as {
      detectors: Array<{
        state: { marginals: Array<{ field: string; counts: { values: [string, number][] } }> };
      }>;
    };
    const key = model.detectors[0]!.state.marginals.find((m) => m.field === "primary_key")!;
    // A value per row, each the row's key as its text: the log's line numbers, one line rejected.
    expect(key.counts.values).toHaveLength(9_999);
    expect(key.counts.values.every(([value, count]) => /^[1-9]\d*$/.test(value) && count === 1)).toBe(true);
  });

  it("detects with --primary-key, fitting and selecting in the cluster, what detect finds in the log", async () => {
    const args = ["--format", "ndjson", "--top", "0", "-q"];
    const ch = await oddity(["detect", ...table(), "--primary-key", "n", ...args], { cwd: dir });
    const own = await oddity(["detect", log, ...args], { cwd: dir });
    expect([ch.code, own.code, ch.stderr]).toEqual([0, 0, ""]);
    const found = comparable(ch.stdout);
    expect(found).toEqual(comparable(own.stdout));
    expect(found.some((a) => a.includes('"vhost":"old.example.org"'))).toBe(true);
  });
});
