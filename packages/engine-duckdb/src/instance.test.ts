import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError, readInputs, type LogRecord, type RecordStream } from "@oddity/core";
import { syntheticCombinedLines } from "@oddity/fixtures";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openScan } from "./index.js";

const dir = mkdtempSync(path.join(tmpdir(), "oddity-duckdb-instance-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Enough lines that DuckDB, held to LIMIT, must write some of the table to its spill folder: 100,000
// such lines filled 6 spill files at that limit. DuckDB's reader takes a buffer sized by the longest line
// allowed (64 MiB for oddity's default), so the scans allow short lines only, to fit it within LIMIT.
const LINES = 150_000;
const LIMIT = "48MB";
const maxLineLength = 1000;
const log = path.join(dir, "big.log");
beforeAll(() => {
  writeFileSync(log, `${syntheticCombinedLines(LINES).join("\n")}\n`);
});

async function drain(stream: RecordStream): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of stream) records.push(...batch.records);
  return records;
}

/** The folder `os.tmpdir()` gives while `run` runs (it reads TMPDIR each time). */
async function withTmpdir<T>(run: (folder: string) => Promise<T>): Promise<T> {
  const saved = process.env.TMPDIR;
  const folder = mkdtempSync(path.join(dir, "tmpdir-"));
  process.env.TMPDIR = folder;
  try {
    return await run(folder);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

afterEach(() => {
  // A test that failed halfway must not leave TMPDIR pointing into a removed folder.
  expect(process.env.TMPDIR === undefined || !process.env.TMPDIR.startsWith(dir)).toBe(true);
});

describe("openScan's memory", () => {
  it("spills past its memory limit into the folder it is given and reads every line as oddity's reader does", async () => {
    const spill = mkdtempSync(path.join(dir, "spill-"));
    const scan = await openScan({
      files: [log],
      layout: "combined",
      keepLines: true,
      threads: 2,
      memoryLimit: LIMIT,
      maxLineLength,
      tempDirectory: spill,
    });
    let spilled: string[];
    let records: LogRecord[];
    try {
      spilled = readdirSync(spill);
      records = await drain(scan.records({ batchSize: 1000 }));
    } finally {
      scan.close();
    }
    expect(spilled.length).toBeGreaterThan(0);
    expect(records).toEqual(await drain(readInputs({ inputs: [log], format: { name: "combined" } })));
  });

  it("spills into a folder of its own in the system's temp folder, and removes it on close", async () => {
    const { during, after } = await withTmpdir(async (folder) => {
      const scan = await openScan({
        files: [log],
        layout: "combined",
        keepLines: true,
        memoryLimit: LIMIT,
        maxLineLength,
      });
      const own = readdirSync(folder);
      const during = { own, files: own.length === 1 ? readdirSync(path.join(folder, own[0]!)).length : 0 };
      scan.close();
      return { during, after: readdirSync(folder) };
    });
    expect(during.own).toEqual([expect.stringMatching(/^oddity-duckdb-/)]);
    expect(during.files).toBeGreaterThan(0);
    expect(after).toEqual([]);
  });

  it("says a scan needs more than its memory limit as a user error, naming the limit", async () => {
    // The reader's buffer for oddity's default line length alone is larger than LIMIT.
    const error = await openScan({ files: [log], layout: "combined", memoryLimit: LIMIT }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^DuckDB needs more than its memory limit \(48MB\): Out of Memory Error/,
    );
  });

  it("refuses a memory limit DuckDB cannot read, naming it, and leaves no folder behind", async () => {
    const { error, after } = await withTmpdir(async (folder) => {
      const error = await openScan({ files: [log], layout: "combined", memoryLimit: "lots" }).then(
        () => null,
        (e: unknown) => e,
      );
      return { error, after: readdirSync(folder) };
    });
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/memory limit "lots"/);
    expect(after).toEqual([]);
  });
});
