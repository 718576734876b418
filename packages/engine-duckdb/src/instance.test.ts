import { mkdtempSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
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
// its read allows, so the scans allow short lines only, to leave most of LIMIT to the table.
const LINES = 150_000;
const LIMIT = "48MB";
const maxLineLength = 1000;
const log = path.join(dir, "big.log");
// A read long enough to be interrupted: held to LONG_LIMIT, DuckDB spills its first file early in it (at a
// quarter of 600,000 lines' read here), the sign that the read is under way with most of it still to do.
// Less memory fails that read.
const LONG_LINES = 800_000;
const LONG_LIMIT = "96MB";
const longLog = path.join(dir, "long.log");
beforeAll(() => {
  writeFileSync(log, `${syntheticCombinedLines(LINES).join("\n")}\n`);
  writeFileSync(longLog, `${syntheticCombinedLines(LONG_LINES).join("\n")}\n`);
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
    // The reader's buffers alone (about 30 MiB for the 1 MiB lines a read first allows) are larger.
    const error = await openScan({ files: [log], layout: "combined", memoryLimit: "16MB" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^DuckDB needs more than its memory limit \(16MB\): Out of Memory Error/,
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

/** Resolves once `folder` holds an entry (checked at once, then on every change). */
function firstEntry(folder: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(folder);
    const check = () => {
      if (readdirSync(folder).length === 0) return;
      watcher.close();
      resolve();
    };
    watcher.on("change", check).on("error", reject);
    check();
  });
}

describe("openScan's signal", () => {
  it("rejects with the signal's reason and makes nothing when aborted before it starts", async () => {
    const reason = new Error("stop");
    const spill = mkdtempSync(path.join(dir, "spill-"));
    const opening = openScan({
      files: [log],
      layout: "combined",
      maxLineLength,
      tempDirectory: spill,
      signal: AbortSignal.abort(reason),
    });
    await expect(opening).rejects.toBe(reason);
    expect(readdirSync(spill)).toEqual([]);
  });

  it("interrupts the read DuckDB is running: openScan rejects with the reason, and the spill is gone", async () => {
    const reason = new Error("interrupted");
    const controller = new AbortController();
    const spill = mkdtempSync(path.join(dir, "spill-"));
    const opening = openScan({
      files: [longLog],
      layout: "combined",
      keepLines: true,
      threads: 2,
      memoryLimit: LONG_LIMIT,
      maxLineLength,
      tempDirectory: spill,
      signal: controller.signal,
    });
    // Settled either way before the abort, so a scan that opens regardless is seen as such.
    const outcome = opening.then(
      (scan) => {
        scan.close();
        return "opened";
      },
      (error: unknown) => error,
    );
    await firstEntry(spill);
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    // DuckDB removes its spill files as it closes, which the rejection waited for.
    expect(readdirSync(spill)).toEqual([]);
  });

  it("ends a record stream aborted between batches with the reason, not as a stream that ran out", async () => {
    const reason = new Error("interrupted");
    const controller = new AbortController();
    const scan = await openScan({
      files: [log],
      layout: "combined",
      keepLines: true,
      countable: false,
      maxLineLength,
      signal: controller.signal,
    });
    let records = 0;
    const drained = (async () => {
      for await (const batch of scan.records({ batchSize: 1000 })) {
        records += batch.records.length;
        controller.abort(reason);
      }
      return "ran out";
    })();
    try {
      await expect(drained).rejects.toBe(reason);
    } finally {
      scan.close();
    }
    // The batches DuckDB had already sent may still arrive; far from every line does.
    expect(records).toBeLessThan(LINES);
  });
});
