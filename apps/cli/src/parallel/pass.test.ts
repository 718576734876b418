import { truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempFolders } from "../testing/temp-folders.js";
import { JOB_MIN_BYTES, usefulJobs } from "./pass.js";

const tempDir = tempFolders("oddity-jobs-");

// Sparse files: the sizes are real to stat, and cost no disk.
function files(...sizes: number[]): string[] {
  const dir = tempDir();
  return sizes.map((size, i) => {
    const file = path.join(dir, `${i}.log`);
    writeFileSync(file, "");
    truncateSync(file, size);
    return file;
  });
}

describe("usefulJobs", () => {
  it("runs one job per JOB_MIN_BYTES of files, at most as many as asked for", async () => {
    const env = {};
    expect(await usefulJobs({ inputs: files(20e6), jobs: 4, env })).toBe(1);
    expect(await usefulJobs({ inputs: files(2 * JOB_MIN_BYTES), jobs: 4, env })).toBe(2);
    expect(await usefulJobs({ inputs: files(JOB_MIN_BYTES, 2 * JOB_MIN_BYTES), jobs: 4, env })).toBe(3);
    expect(await usefulJobs({ inputs: files(10 * JOB_MIN_BYTES), jobs: 4, env })).toBe(4);
  });

  it("takes its threshold from ODDITY_JOB_MIN_BYTES, 0 meaning every job asked for", async () => {
    const [small] = files(3e6);
    expect(await usefulJobs({ inputs: [small!], jobs: 3, env: { ODDITY_JOB_MIN_BYTES: "0" } })).toBe(3);
    expect(await usefulJobs({ inputs: [small!], jobs: 3, env: { ODDITY_JOB_MIN_BYTES: "1000000" } })).toBe(3);
    expect(await usefulJobs({ inputs: [small!], jobs: 3, env: { ODDITY_JOB_MIN_BYTES: "1500000" } })).toBe(2);
    expect(await usefulJobs({ inputs: [small!], jobs: 3, env: { ODDITY_JOB_MIN_BYTES: "lots" } })).toBe(1);
  });

  it("reads stdin, databases and files it cannot stat in one job", async () => {
    const env = { ODDITY_JOB_MIN_BYTES: "0" };
    expect(await usefulJobs({ inputs: ["-"], jobs: 4, env })).toBe(1);
    expect(await usefulJobs({ inputs: ["mysql://db/logs"], jobs: 4, env })).toBe(1);
    expect(await usefulJobs({ inputs: ["/no/such/file.log"], jobs: 4, env })).toBe(1);
    expect(await usefulJobs({ inputs: files(1000), jobs: 1, env })).toBe(1);
  });
});
