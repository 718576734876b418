import { spawn } from "node:child_process";
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, CODEUP, LESSON_SYNTHETIC, fixture, ndjson, oddity, tempDir, waitForEntry } from "./helpers.js";

let dir: string;
let model: string;

beforeAll(async () => {
  dir = tempDir();
  model = path.join(dir, "model.json");
  const { code, stderr } = await oddity(["fit", CODEUP, "--output", model, "-q"], { cwd: dir });
  if (code !== 0) throw new Error(`fit failed: ${stderr}`);
});

describe("oddity fit and score", () => {
  it("scores new logs against a saved model and flags the lesson's planted requests", async () => {
    const { code, stdout } = await oddity([
      "score",
      LESSON_SYNTHETIC,
      "--model",
      model,
      "--format",
      "json",
      "-q",
    ]);
    const { summary, anomalies } = JSON.parse(stdout) as {
      summary: { baseline: { records: number }; read: number };
      anomalies: Array<{ line: number }>;
    };
    expect([code, summary.baseline.records, summary.read, anomalies.map((a) => a.line).sort()]).toEqual([
      0,
      13974,
      4,
      [1, 2, 3, 4],
    ]);
  });

  it("prints the first anomaly while stdin is still open (tail -F | oddity score -)", async () => {
    const child = spawn(process.execPath, [BIN, "score", "-", "--model", model, "--format", "ndjson", "-q"], {
      cwd: dir,
    });
    const normal = readFileSync(CODEUP, "utf8").split("\n").slice(0, 3);
    const odd = readFileSync(LESSON_SYNTHETIC, "utf8").split("\n")[0]!;
    const first = new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
      });
      child.on("exit", (code) => reject(new Error(`exited ${code} before printing an anomaly`)));
    });
    for (const line of [...normal, odd]) child.stdin.write(`${line}\n`);
    const anomaly = JSON.parse(await first) as { source: string; line: number; raw: string };
    const stillOpen = child.stdin.writable && child.exitCode === null;
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.end();
    expect([anomaly.source, anomaly.line, anomaly.raw, stillOpen, await exited]).toEqual([
      "-",
      4,
      odd,
      true,
      0,
    ]);
  });

  it("stops on Ctrl-C with exit 130 and leaves no half-written output", async () => {
    const work = tempDir();
    copyFileSync(model, path.join(work, "model.json"));
    const child = spawn(
      process.execPath,
      [BIN, "score", "-", "--model", "model.json", "--format", "ndjson", "--output", "out.ndjson", "-q"],
      {
        cwd: work,
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.write(`${readFileSync(LESSON_SYNTHETIC, "utf8")}`);
    // Interrupt once the run is writing its output: the temp file it renames into place exists.
    const temp = await waitForEntry({ dir: work, accept: (name) => name.startsWith(".out.ndjson."), child });
    child.kill("SIGINT");
    expect([temp.endsWith(".tmp"), await exited, readdirSync(work)]).toEqual([true, 130, ["model.json"]]);
  });

  it("streams CSV rows in input order with a header", async () => {
    const { stdout } = await oddity(["score", LESSON_SYNTHETIC, "--model", model, "--format", "csv", "-q"]);
    expect(stdout.split("\r\n").map((row) => row.split(",").slice(1, 3).join(":"))).toEqual([
      "source:line",
      `${LESSON_SYNTHETIC}:1`,
      `${LESSON_SYNTHETIC}:2`,
      `${LESSON_SYNTHETIC}:3`,
      `${LESSON_SYNTHETIC}:4`,
      "",
    ]);
  });

  it("refuses a truncated model with exit 2, naming the file", async () => {
    const broken = path.join(tempDir(), "broken.json");
    writeFileSync(broken, readFileSync(model, "utf8").slice(0, 500));
    const { code, stderr } = await oddity(["score", LESSON_SYNTHETIC, "--model", broken, "-q"]);
    expect([
      code,
      stderr.startsWith(`oddity: error: ${broken}: not a valid model: the JSON does not parse`),
    ]).toEqual([2, true]);
  });
});

describe("parallel fit and merge", () => {
  it("writes the same bytes with --jobs 3 as with one job", async () => {
    const work = fixture("exact-detectors");
    const out = tempDir();
    const one = await oddity(["fit", CODEUP, "--output", path.join(out, "one.json"), "-q"], { cwd: work });
    const three = await oddity(
      ["fit", CODEUP, "--output", path.join(out, "three.json"), "--jobs", "3", "-q"],
      // Workers even for a 2 MB log, which one job would otherwise read.
      { cwd: work, env: { ODDITY_JOB_MIN_BYTES: "0" } },
    );
    expect([
      one.code,
      three.code,
      readFileSync(path.join(out, "three.json"), "utf8") === readFileSync(path.join(out, "one.json"), "utf8"),
    ]).toEqual([0, 0, true]);
  });

  it("merges models fitted on two halves into the model of the whole", async () => {
    const work = tempDir();
    const lines = readFileSync(CODEUP, "utf8").split(/(?<=\n)/);
    writeFileSync(path.join(work, "a.log"), lines.slice(0, 7000).join(""));
    writeFileSync(path.join(work, "b.log"), lines.slice(7000).join(""));
    const config = ["--config", fixture("exact-detectors", "oddity.config.yaml")];
    await oddity(["fit", "a.log", "--output", "a.json", "-q", ...config], { cwd: work });
    await oddity(["fit", "b.log", "--output", "b.json", "-q", ...config], { cwd: work });
    await oddity(["fit", "a.log", "b.log", "--output", "whole.json", "-q", ...config], { cwd: work });
    const merged = await oddity(["merge", "a.json", "b.json", "--output", "merged.json", "-q", ...config], {
      cwd: work,
    });
    expect([
      merged.code,
      readFileSync(path.join(work, "merged.json"), "utf8") ===
        readFileSync(path.join(work, "whole.json"), "utf8"),
    ]).toEqual([0, true]);
  });

  it("refuses to merge models fitted with different configs", async () => {
    const work = tempDir();
    await oddity(
      [
        "fit",
        LESSON_SYNTHETIC,
        "--output",
        "exact.json",
        "-q",
        "--config",
        fixture("exact-detectors", "oddity.config.yaml"),
      ],
      {
        cwd: work,
      },
    );
    const { code, stderr } = await oddity(
      ["merge", model, path.join(work, "exact.json"), "--output", "m.json"],
      { cwd: work },
    );
    expect([code, stderr.includes("fitted with different detector configurations")]).toEqual([2, true]);
  });

  it("fits the first anomaly in ndjson from score too", async () => {
    const { stdout } = await oddity([
      "score",
      LESSON_SYNTHETIC,
      "--model",
      model,
      "--format",
      "ndjson",
      "-q",
    ]);
    expect((ndjson(stdout) as Array<{ line: number }>).map((a) => a.line)).toEqual([1, 2, 3, 4]);
  });
});
