import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CODEUP, dataFixture, oddity, tempDir, type RunResult } from "./helpers.js";

// 2.4 MB: big enough to be cut into line-aligned byte ranges, so line numbers of later pieces must be
// counted from the start of the file; the second log goes whole to a worker.
const APACHE = dataFixture("elastic-apache/apache_logs");
const INPUTS = [APACHE, CODEUP];

let dir: string;
// The fixtures are a few MB, which one job would read alone: ask for workers whatever the size.
const WORKERS = { ODDITY_JOB_MIN_BYTES: "0" };

async function both(args: string[]): Promise<[RunResult, RunResult]> {
  const one = await oddity([...args, "--jobs", "1", "-q"], { cwd: dir });
  const many = await oddity([...args, "--jobs", "3", "-q"], { cwd: dir, env: WORKERS });
  return [one, many];
}

beforeAll(async () => {
  dir = tempDir();
  const { code, stderr } = await oddity(["fit", ...INPUTS, "--output", path.join(dir, "model.json"), "-q"], {
    cwd: dir,
  });
  if (code !== 0) throw new Error(`fit failed: ${stderr}`);
});

describe("--jobs", () => {
  it("profiles in worker threads with output byte-identical to one job", async () => {
    const [one, many] = await both(["profile", ...INPUTS, "--format", "json", "--top", "0"]);
    expect(one.code).toBe(0);
    expect(many.stdout).toBe(one.stdout);
  });

  it("fits in worker threads a model byte-identical to one job", async () => {
    const [one, many] = await Promise.all([
      oddity(["fit", ...INPUTS, "--output", path.join(dir, "one.json"), "-q"], { cwd: dir }),
      oddity(["fit", ...INPUTS, "--output", path.join(dir, "many.json"), "--jobs", "3", "-q"], {
        cwd: dir,
        env: WORKERS,
      }),
    ]);
    expect([one.code, many.code]).toEqual([0, 0]);
    expect(readFileSync(path.join(dir, "many.json"), "utf8")).toBe(
      readFileSync(path.join(dir, "one.json"), "utf8"),
    );
  });

  it("scores in worker threads with the same anomalies, in input order, at the same line numbers", async () => {
    const model = path.join(dir, "model.json");
    const [one, many] = await both(["score", ...INPUTS, "--model", model, "--format", "ndjson"]);
    expect(one.code).toBe(0);
    expect(many.stdout).toBe(one.stdout);
    const lines = one.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { source: string; line: number });
    // Anomalies from the end of the split file prove that its later pieces were numbered from its start.
    expect(lines.some((a) => a.source === APACHE && a.line > 9000)).toBe(true);
  });

  it("detects in worker threads with output and rejected lines byte-identical to one job", async () => {
    // Each run in its own folder, so that the summary naming the rejects file reads the same.
    const [oneDir, manyDir] = [tempDir(), tempDir()];
    const args = ["detect", ...INPUTS, "--format", "json", "--top", "0", "--rejects", "rejects.ndjson", "-q"];
    const one = await oddity(args, { cwd: oneDir });
    const many = await oddity([...args, "--jobs", "3"], { cwd: manyDir, env: WORKERS });
    expect(one.code).toBe(0);
    expect(many.stdout).toBe(one.stdout);
    const rejected = (folder: string) => readFileSync(path.join(folder, "rejects.ndjson"), "utf8");
    expect(rejected(manyDir)).toBe(rejected(oneDir));
    expect(rejected(oneDir)).toContain('"line":8899');
  });

  it("prints the incidents table byte-identical to one job, and with every anomaly spooled to disk", async () => {
    const [one, many] = await both(["detect", ...INPUTS, "--top", "0"]);
    const spooled = await oddity(["detect", ...INPUTS, "--top", "0", "--jobs", "3", "-q"], {
      cwd: dir,
      env: { ...WORKERS, ODDITY_SPOOL_MEMORY: "0" },
    });
    expect([one.code, one.stdout.includes("    client ")]).toEqual([0, true]);
    expect([many.stdout === one.stdout, spooled.stdout === one.stdout]).toEqual([true, true]);
  }, 60_000);

  it("stops its already started workers and names the model when the model is corrupt", async () => {
    const corrupt = path.join(dir, "corrupt.json");
    writeFileSync(corrupt, readFileSync(path.join(dir, "model.json"), "utf8").slice(0, 5000));
    // The process must end whatever state its pool is in (a hang would time the test out).
    const result = await oddity(["score", ...INPUTS, "--model", corrupt, "--jobs", "3", "-q"], {
      cwd: dir,
      env: WORKERS,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${corrupt}: not a valid model: the JSON does not parse`);
    expect(result.stdout).toBe("");
  });

  it("stops its workers when detect cannot open its output, and says which folder is missing", async () => {
    // The process must end whatever state its pool is in (a hang would time the test out).
    const out = path.join(dir, "missing", "out.json");
    const result = await oddity(["detect", ...INPUTS, "--jobs", "2", "--output", out, "-q"], {
      cwd: dir,
      env: WORKERS,
    });
    expect([result.code, result.stderr.trim()]).toEqual([
      2,
      `oddity: error: cannot write ${out}: the folder ${path.dirname(out)} does not exist`,
    ]);
  });
});
