import { readFileSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { readInputs } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { EXAMPLES, fixture, oddity, tempDir } from "./helpers.js";

const SAMPLE = path.join(EXAMPLES, "sample", "access.log");
const TRICKY = fixture("engine", "tricky.log");
const CONFIG = fixture("engine", "oddity.config.yaml");

describe("oddity fit --engine duckdb", () => {
  it("writes the model oddity fit writes, byte for byte, and reports the same lines read", async () => {
    const dir = tempDir();
    const duck = await oddity(
      ["fit", SAMPLE, TRICKY, "--config", CONFIG, "--engine", "duckdb", "--jobs", "2", "-o", "duck.json"],
      { cwd: dir },
    );
    const own = await oddity(["fit", SAMPLE, TRICKY, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    const model = JSON.parse(readFileSync(path.join(dir, "duck.json"), "utf8")) as {
      detectors: Array<{ use: string }>;
    };
    expect(model.detectors.map((d) => d.use)).toEqual(["rarity", "conditional", "size"]);
    expect(readFileSync(path.join(dir, "duck.json"), "utf8")).toBe(
      readFileSync(path.join(dir, "own.json"), "utf8"),
    );
    const summary = (stderr: string) => /read [\d,]+ lines: [^;]+/.exec(stderr)?.[0];
    expect(summary(duck.stderr)).toBe(summary(own.stderr));
    // The summary counts records per layout (up to its first ";"): the tricky fixture's host-name client
    // is a layout of its own, and its four lines with a spaced user or a timestamp that does not parse are
    // rejected (10,014 parsed of 10,024).
    expect(summary(duck.stderr)).toBe("read 10,024 lines: 10,014 parsed (10,013 combined");
  });

  it("fits the default pipeline (no config), every bundled detector from its declared counts", async () => {
    const dir = tempDir();
    const duck = await oddity(
      ["fit", SAMPLE, TRICKY, "--engine", "duckdb", "--jobs", "2", "-o", "duck.json"],
      {
        cwd: dir,
      },
    );
    const own = await oddity(["fit", SAMPLE, TRICKY, "-o", "own.json"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    const model = JSON.parse(readFileSync(path.join(dir, "duck.json"), "utf8")) as {
      detectors: Array<{ id: string }>;
    };
    expect(model.detectors.map((d) => d.id)).toEqual([
      "rarity",
      "conditional",
      "size",
      "params",
      "client",
      "client-by-agent",
      "targets",
    ]);
    expect(readFileSync(path.join(dir, "duck.json"), "utf8")).toBe(
      readFileSync(path.join(dir, "own.json"), "utf8"),
    );
  });

  it("refuses a pipeline naming each detector that declares no counts, and only those (exit 2)", async () => {
    // The custom-detector example runs the bundled rarity, which declares its counts, and route-guard.
    const model = path.join(tempDir(), "m.json");
    const { code, stderr } = await oddity(["fit", TRICKY, "--engine", "duckdb", "-o", model], {
      cwd: path.join(EXAMPLES, "custom-detector"),
    });
    expect([code, stderr.split("\n").filter((line) => line.startsWith("  - "))]).toEqual([
      2,
      [
        '  - detector "route-guard" (./route-guard.js) learns record by record only; run without --engine, or have it declare `counts` and `foldCounts` (docs/plugins.md)',
      ],
    ]);
  });

  it("refuses stdin, which it cannot hand to DuckDB", async () => {
    const { code, stderr } = await oddity(
      ["fit", "-", "--config", CONFIG, "--engine", "duckdb", "-o", "m.json"],
      {
        input: readFileSync(TRICKY, "utf8"),
      },
    );
    expect([code, stderr]).toEqual([2, expect.stringContaining("stdin is read without --engine")]);
  });
});

describe("oddity profile --engine duckdb", () => {
  it.each([
    ["every categorical field", []],
    [
      "P(status | ip) and P(path_template | ip)",
      ["--given", "ip", "--field", "status", "--field", "path_template"],
    ],
    ["derived and hostile fields", ["--field", "hour", "--field", "endpoint", "--field", "user"]],
  ])("prints the tables oddity profile prints: %s", async (_name, args) => {
    const common = ["profile", SAMPLE, TRICKY, ...args, "--format", "json", "-q"];
    const duck = await oddity([...common, "--engine", "duckdb", "--jobs", "2"]);
    const own = await oddity(common);
    expect([duck.code, own.code]).toEqual([0, 0]);
    expect(duck.stdout.length).toBeGreaterThan(1000);
    expect(withoutKept(duck.stdout)).toBe(own.stdout);
  });
});

// The run summary without its timing, which differs from run to run.
const untimed = (stderr: string) => stderr.replace(/ in [\d.]+ m?s$/m, "");

// An engine run's output as the run without it prints it: less the records the engine kept because no
// detector could flag them, which its summaries count (stderr, and `unscored` in JSON).
const KEPT = /(?: \(|; )([\d,]+) left in the engine: no detector could flag them(?=\))/;
const withoutKept = (text: string) =>
  text
    .replace(/ \([\d,]+ left in the engine: no detector could flag them\)/, "")
    .replace(KEPT, "")
    .replace(/"unscored": \d+/, '"unscored": 0');

describe("oddity detect --engine duckdb", () => {
  it.each([
    ["a table of the bundled sample", [SAMPLE], []],
    ["JSON of the sample and tricky lines", [SAMPLE, TRICKY], ["--format", "json", "--top", "0"]],
    ["CSV with every record's score", [TRICKY, SAMPLE], ["--format", "csv", "--group", "none"]],
  ])("prints what oddity detect prints: %s", async (_name, inputs, args) => {
    const common = ["detect", ...inputs, "--config", CONFIG, ...args];
    const duck = await oddity([...common, "--engine", "duckdb", "--jobs", "2"]);
    const own = await oddity(common);
    expect([duck.code, own.code]).toEqual([0, 0]);
    expect(duck.stdout.length).toBeGreaterThan(1000);
    expect(withoutKept(duck.stdout)).toBe(own.stdout);
    expect(untimed(withoutKept(duck.stderr))).toBe(untimed(own.stderr));
  });

  it("reports the tricky fixture's rejections as oddity detect does, --rejects file included", async () => {
    const dir = tempDir();
    const common = ["detect", TRICKY, "--config", CONFIG, "--format", "ndjson"];
    const duck = await oddity([...common, "--engine", "duckdb", "--rejects", "r.ndjson"], { cwd: dir });
    const duckRejects = readFileSync(path.join(dir, "r.ndjson"), "utf8");
    const own = await oddity([...common, "--rejects", "r.ndjson"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    expect(duckRejects).toBe(readFileSync(path.join(dir, "r.ndjson"), "utf8"));
    expect(duckRejects.trim().split("\n")).toHaveLength(7);
    expect(withoutKept(duck.stdout)).toBe(own.stdout);
    expect(untimed(withoutKept(duck.stderr))).toBe(untimed(own.stderr));
    expect(duck.stderr).toMatch(/read 24 lines: 15 parsed .*, 7 rejected .*, 2 blank/);
  });

  it("scores against a baseline fitted in DuckDB as against one fitted by oddity", async () => {
    const common = ["detect", TRICKY, "--baseline", SAMPLE, "--config", CONFIG, "--format", "json"];
    const duck = await oddity([...common, "--engine", "duckdb"]);
    const own = await oddity(common);
    expect([duck.code, own.code]).toEqual([0, 0]);
    expect(withoutKept(duck.stdout)).toBe(own.stdout);
  });

  it("prints what oddity detect prints with the default pipeline, every detector fitted from its counts", async () => {
    const common = ["detect", SAMPLE, TRICKY, "--format", "json", "--top", "0"];
    const duck = await oddity([...common, "--engine", "duckdb", "--jobs", "2"]);
    const own = await oddity(common);
    expect([duck.code, own.code]).toEqual([0, 0]);
    const summary = (JSON.parse(duck.stdout) as { summary: { detectors: Array<{ id: string }> } }).summary;
    expect(summary.detectors.map((d) => d.id)).toContain("rarity");
    expect(withoutKept(duck.stdout)).toBe(own.stdout);
    expect(untimed(withoutKept(duck.stderr))).toBe(untimed(own.stderr));
  });

  it("says how many records DuckDB kept because no detector could flag them", async () => {
    const common = ["detect", SAMPLE, "--config", CONFIG, "--format", "json", "--top", "0"];
    const dir = tempDir();
    const duck = await oddity([...common, "--engine", "duckdb"], { cwd: dir });
    // The HTML report observes every record: all of them come back.
    const every = await oddity([...common, "--engine", "duckdb", "--report", "r.html"], { cwd: dir });
    expect([duck.code, every.code]).toEqual([0, 0]);
    const summary = (text: string) =>
      (JSON.parse(text) as { summary: { parsed: number; unscored: number } }).summary;
    const { parsed, unscored } = summary(duck.stdout);
    expect(unscored).toBeGreaterThan(parsed / 2);
    expect(unscored).toBeLessThan(parsed);
    expect(KEPT.exec(duck.stderr)?.[1]).toBe(unscored.toLocaleString("en-US"));
    expect(summary(every.stdout).unscored).toBe(0);
    expect(every.stderr).not.toMatch(KEPT);
  });

  it("refuses a pipeline with a detector that declares no counts before reading, naming it", async () => {
    // The custom-detector example runs the bundled rarity, which declares its counts, and route-guard.
    const { code, stderr } = await oddity(["detect", TRICKY, "--engine", "duckdb"], {
      cwd: path.join(EXAMPLES, "custom-detector"),
    });
    expect([code, stderr.split("\n").filter((line) => line.startsWith("  - "))]).toEqual([
      2,
      [
        '  - detector "route-guard" (./route-guard.js) learns record by record only; run without --engine, or have it declare `counts` and `foldCounts` (docs/plugins.md)',
      ],
    ]);
  });
});

describe("oddity score --engine duckdb", () => {
  it.each([["table"], ["ndjson"], ["json"]])(
    "prints what oddity score prints against the same model: %s",
    async (format) => {
      const dir = tempDir();
      const fitted = await oddity(["fit", SAMPLE, "--config", CONFIG, "-o", "m.json", "-q"], { cwd: dir });
      expect(fitted.code).toBe(0);
      const common = ["score", TRICKY, SAMPLE, "--model", "m.json", "--config", CONFIG, "--format", format];
      const duck = await oddity([...common, "--engine", "duckdb", "--jobs", "2"], { cwd: dir });
      const own = await oddity(common, { cwd: dir });
      expect([duck.code, own.code]).toEqual([0, 0]);
      expect(duck.stdout.length).toBeGreaterThan(1000);
      expect(withoutKept(duck.stdout)).toBe(own.stdout);
      expect(untimed(withoutKept(duck.stderr))).toBe(untimed(own.stderr));
    },
  );
});

describe("Parquet with --engine duckdb", () => {
  async function writeParquet(dir: string, sql: (file: string) => string): Promise<string> {
    const file = path.join(dir, "access.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await connection.run(sql(file.replaceAll("'", "''")));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    return file;
  }

  it("fits and detects raw lines of a --column as oddity does the log they came from", async () => {
    const dir = tempDir();
    const log = SAMPLE.replaceAll("'", "''");
    const parquet = await writeParquet(
      dir,
      (file) =>
        `COPY (SELECT line AS entry FROM read_csv('${log}', columns = {'line': 'VARCHAR'}, header = false, quote = '', escape = '', auto_detect = false, delim = '\u001f')) TO '${file}' (FORMAT parquet)`,
    );
    const duck = await oddity(
      ["fit", parquet, "--column", "entry", "--config", CONFIG, "--engine", "duckdb", "-o", "duck.json"],
      { cwd: dir },
    );
    const own = await oddity(["fit", SAMPLE, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    expect(JSON.parse(readFileSync(path.join(dir, "duck.json"), "utf8"))).toEqual({
      ...(JSON.parse(readFileSync(path.join(dir, "own.json"), "utf8")) as object),
      sources: [parquet],
    });

    const detect = ["detect", "--config", CONFIG, "--format", "ndjson"];
    const duckDetect = await oddity([...detect, parquet, "--column", "entry", "--engine", "duckdb"]);
    const ownDetect = await oddity([...detect, SAMPLE]);
    expect([duckDetect.code, ownDetect.code]).toEqual([0, 0]);
    expect(duckDetect.stdout.length).toBeGreaterThan(1000);
    expect(duckDetect.stdout).toBe(
      ownDetect.stdout.replaceAll(JSON.stringify(SAMPLE), JSON.stringify(parquet)),
    );
  });

  it("fits and detects a file of record-field columns as oddity does the log they were parsed from", async () => {
    const dir = tempDir();
    const file = path.join(dir, "records.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await connection.run(
        `CREATE TABLE t (source VARCHAR, line BIGINT, raw VARCHAR, ip VARCHAR, ident VARCHAR, "user" VARCHAR, time_ms DOUBLE, time_text VARCHAR, method VARCHAR, path VARCHAR, http_version VARCHAR, status INTEGER, size DOUBLE, referer VARCHAR, user_agent VARCHAR)`,
      );
      const appender = await connection.createAppender("t");
      for await (const batch of readInputs({ inputs: [SAMPLE] })) {
        for (const r of batch.records) {
          for (const value of [
            r.source,
            r.line,
            r.raw,
            r.ip,
            r.ident,
            r.user,
            r.time,
            r.time_text,
            r.method,
            r.path,
            r.http_version,
            r.status,
            r.size,
            r.referer,
            r.user_agent,
          ]) {
            if (value === null) appender.appendNull();
            else if (typeof value === "string") appender.appendVarchar(value);
            else appender.appendDouble(value);
          }
          appender.endRow();
        }
      }
      appender.closeSync();
      await connection.run(
        `COPY (SELECT * EXCLUDE (time_ms), epoch_ms(CAST(time_ms AS BIGINT)) AS "time" FROM t) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`,
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const duck = await oddity(["fit", file, "--config", CONFIG, "--engine", "duckdb", "-o", "duck.json"], {
      cwd: dir,
    });
    const own = await oddity(["fit", SAMPLE, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    expect(readFileSync(path.join(dir, "duck.json"), "utf8")).toBe(
      readFileSync(path.join(dir, "own.json"), "utf8"),
    );

    const detect = ["detect", "--config", CONFIG, "--format", "ndjson"];
    const duckDetect = await oddity([...detect, file, "--engine", "duckdb"]);
    const ownDetect = await oddity([...detect, SAMPLE]);
    expect([duckDetect.code, ownDetect.code]).toEqual([0, 0]);
    expect(duckDetect.stdout.length).toBeGreaterThan(1000);
    expect(duckDetect.stdout).toBe(ownDetect.stdout);
  });
});
