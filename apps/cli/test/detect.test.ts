import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODEUP, EXAMPLES, LESSON_SYNTHETIC, fixture, ndjson, oddity, tempDir } from "./helpers.js";

interface Anomaly {
  source: string;
  line: number;
  raw: string;
  score: number;
  findings: Array<{ detector: string; kind: string; fields: string[]; values: string[]; message: string }>;
}

const SAMPLE = path.join(EXAMPLES, "sample", "access.log");
const HOSTILE = fixture("hostile", "access.log");

describe("oddity detect", () => {
  it("flags the lesson's four planted requests, ranked by score, with a summary of the run", async () => {
    const { code, stdout } = await oddity([
      "detect",
      CODEUP,
      LESSON_SYNTHETIC,
      "--format",
      "json",
      "--top",
      "0",
      "-q",
    ]);
    const { summary, anomalies } = JSON.parse(stdout) as {
      summary: Record<string, unknown>;
      anomalies: Anomaly[];
    };
    expect(code).toBe(0);
    expect({
      read: summary.read,
      parsed: summary.parsed,
      rejected: summary.rejected,
      blank: summary.blank,
      shown: summary.shown,
      detectors: (summary.detectors as Array<{ id: string }>).map((d) => d.id),
    }).toEqual({
      read: 13978,
      parsed: 13978,
      rejected: 0,
      blank: 0,
      shown: summary.flagged,
      detectors: ["rarity", "conditional", "size", "params", "client", "client-by-agent", "targets"],
    });
    const planted = anomalies.filter((a) => a.source === LESSON_SYNTHETIC).map((a) => a.line);
    const ranked = anomalies.every((a, i) => i === 0 || anomalies[i - 1]!.score >= a.score);
    expect([planted.sort(), ranked]).toEqual([[1, 2, 3, 4], true]);
    expect(Object.keys(anomalies[0]!.findings[0]!)).toEqual(
      expect.arrayContaining([
        "detector",
        "kind",
        "fields",
        "values",
        "probability",
        "surprisal",
        "threshold",
        "counts",
        "message",
      ]),
    );
  });

  it("prints one JSON object per anomaly with --format ndjson", async () => {
    const { code, stdout } = await oddity([
      "detect",
      HOSTILE,
      "--baseline",
      CODEUP,
      "--format",
      "ndjson",
      "-q",
    ]);
    const lines = ndjson(stdout) as Anomaly[];
    expect([
      code,
      lines.map((a) => [path.basename(a.source), a.line, a.findings.map((f) => f.values.join("|"))]),
    ]).toEqual([
      0,
      [
        ["access.log", 4, ["10.9.9.9", "evil\u001b[31mRED\u001b[0m\u001b]0;pwned\u0007\u202egnp.exe"]],
        ["access.log", 5, ["10.9.9.8", '=HYPERLINK("http://evil.example","click")']],
      ],
    ]);
  });

  it("shows an ANSI escape in a user agent as visible text in the table, never as a control sequence", async () => {
    const { stdout } = await oddity(["detect", HOSTILE, "--baseline", CODEUP, "-q"], {
      env: { COLUMNS: "200" },
    });
    const raw = stdout.split("\n").find((line) => line.includes("10.9.9.9 - -"));
    expect([
      stdout.includes("\u001b"),
      stdout.includes("\u202e"),
      raw?.trim().endsWith('"evil\\x1B[31mRED\\x1B[0m\\x1B]0;pwned\\x07\\u{202E}gnp.exe"'),
    ]).toEqual([false, false, true]);
  });

  it("writes RFC 4180 CSV with CRLF and a header", async () => {
    const { stdout } = await oddity(["detect", HOSTILE, "--baseline", CODEUP, "--format", "csv", "-q"]);
    const rows = stdout.split("\r\n");
    expect([rows[0], rows.length, rows[3], rows[2]!.split(",").slice(1, 3)]).toEqual([
      "score,source,line,incident,detectors,explanation,raw",
      4,
      "",
      [HOSTILE, "5"],
    ]);
  });

  it("exits 1 when an anomaly reaches --fail-on and 0 when none does", async () => {
    const run = (extra: string[]) =>
      oddity(["detect", HOSTILE, "--baseline", CODEUP, "-q", "--format", "json", ...extra]);
    const { anomalies } = JSON.parse((await run([])).stdout) as { anomalies: Anomaly[] };
    const top = anomalies[0]!.score;
    const [at, above] = await Promise.all([
      run(["--fail-on", String(top)]),
      run(["--fail-on", String(top + 0.001)]),
    ]);
    expect([at.code, above.code]).toEqual([1, 0]);
  });

  it("reports only records at or above --min-score", async () => {
    const run = (extra: string[]) =>
      oddity(["detect", CODEUP, LESSON_SYNTHETIC, "--format", "ndjson", "-q", ...extra]);
    const all = (ndjson((await run([])).stdout) as Anomaly[]).map((a) => a.score);
    const cut = all[9]!;
    const kept = (ndjson((await run(["--min-score", String(cut)])).stdout) as Anomaly[]).map((a) => a.score);
    expect(kept).toEqual(all.filter((s) => s >= cut));
  });

  it("reads stdin twice (fit, then score) when the input is -", async () => {
    const text = readFileSync(HOSTILE, "utf8");
    const { code, stdout, stderr } = await oddity(["detect", "-", "--format", "json"], { input: text });
    const { summary } = JSON.parse(stdout) as { summary: { inputs: string[]; read: number; parsed: number } };
    expect([code, summary.inputs, summary.read, summary.parsed, stderr.includes("read 5 lines")]).toEqual([
      0,
      ["-"],
      5,
      5,
      true,
    ]);
  });

  it("writes --output atomically and --rejects as NDJSON naming the rejected line", async () => {
    const dir = tempDir();
    const { code, stdout } = await oddity(
      ["detect", SAMPLE, "--output", "out.json", "--format", "json", "--rejects", "rejects.ndjson", "-q"],
      {
        cwd: dir,
      },
    );
    const rejects = ndjson(readFileSync(path.join(dir, "rejects.ndjson"), "utf8")) as Array<{
      line: number;
      reason: string;
    }>;
    expect([code, stdout, readdirSync(dir).sort(), rejects.map((r) => r.line)]).toEqual([
      0,
      "",
      ["out.json", "rejects.ndjson"],
      [8899],
    ]);
    expect(
      (JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8")) as { summary: { rejected: number } })
        .summary.rejected,
    ).toBe(1);
  });

  it("stops with exit 2 at the first bad line under --strict, naming file and line", async () => {
    const { code, stderr } = await oddity(["detect", SAMPLE, "--strict", "-q"]);
    expect([code, stderr.startsWith(`oddity: error: ${SAMPLE}:8899: `)]).toEqual([2, true]);
  });

  it("names a missing input file and exits 2", async () => {
    const { code, stderr, stdout } = await oddity(["detect", "no-such.log"]);
    expect([code, stdout, stderr]).toEqual([2, "", "oddity: error: cannot read no-such.log: no such file\n"]);
  });

  it("exits quietly when the reader of its output goes away (| head -1)", async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, "run.sh"),
      `node "$1" detect "$2" --format ndjson --top 0 -q | head -1 > /dev/null; echo "\${PIPESTATUS[0]}"\n`,
    );
    const { spawnSync } = await import("node:child_process");
    const result = spawnSync(
      "bash",
      [path.join(dir, "run.sh"), path.resolve(import.meta.dirname, "../dist/bin.js"), SAMPLE],
      {
        encoding: "utf8",
      },
    );
    // Only the run's warnings reach stderr: no EPIPE error, no stack.
    expect([
      result.stdout,
      result.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning: ")),
    ]).toEqual(["0\n", []]);
  });

  it("leaves no output file when the run fails", async () => {
    const dir = tempDir();
    const { code } = await oddity(["detect", SAMPLE, "--strict", "--output", "out.json", "-q"], { cwd: dir });
    expect([code, existsSync(path.join(dir, "out.json")), readdirSync(dir)]).toEqual([2, false, []]);
  });
});
