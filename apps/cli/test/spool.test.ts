import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODEUP, dataFixture, oddity, tempDir } from "./helpers.js";

// 2.4 MB of real traffic, cut into byte ranges by --jobs, plus a second log: a few hundred anomalies.
const INPUTS = [dataFixture("elastic-apache/apache_logs"), CODEUP];
const WORKERS = { ODDITY_JOB_MIN_BYTES: "0" };

// Runs with TMPDIR pointing at a fresh folder, so what the run spools there can be checked afterwards.
async function run(args: string[], env: Record<string, string> = {}) {
  const tmp = tempDir();
  const result = await oddity([...args, "-q"], { env: { TMPDIR: tmp, ...env } });
  return { ...result, left: readdirSync(tmp) };
}

describe("anomalies kept on disk", () => {
  it("rank and print byte-identical to anomalies kept in memory, in one job and in workers, and leave no file", async () => {
    const args = ["detect", ...INPUTS, "--format", "json", "--top", "0"];
    const memory = await run(args);
    const disk = await run(args, { ODDITY_SPOOL_MEMORY: "3" });
    const workers = await run([...args, "--jobs", "3"], { ODDITY_SPOOL_MEMORY: "3", ...WORKERS });
    expect(memory.code).toBe(0);
    expect((JSON.parse(memory.stdout) as { anomalies: unknown[] }).anomalies.length).toBeGreaterThan(100);
    expect([disk.stdout === memory.stdout, workers.stdout === memory.stdout]).toEqual([true, true]);
    expect([memory.left, disk.left, workers.left]).toEqual([[], [], []]);
  });

  it("stream in input order when workers score a saved model (score --format ndjson --jobs)", async () => {
    const dir = tempDir();
    const model = path.join(dir, "model.json");
    expect((await oddity(["fit", ...INPUTS, "--output", model, "-q"])).code).toBe(0);
    const args = ["score", ...INPUTS, "--model", model, "--format", "ndjson"];
    const one = await run(args);
    const workers = await run([...args, "--jobs", "3"], { ODDITY_SPOOL_MEMORY: "2", ...WORKERS });
    expect(one.code).toBe(0);
    expect(workers.stdout).toBe(one.stdout);
    expect(workers.left).toEqual([]);
  });
});
