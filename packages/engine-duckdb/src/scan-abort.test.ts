import { mkdtempSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { syntheticCombinedLines } from "@oddity/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openScan } from "./index.js";

const dir = mkdtempSync(path.join(tmpdir(), "oddity-duckdb-abort-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// DuckDB held to LIMIT spills its first file once the table outgrows it, early in a read of this many
// lines (at a quarter of 600,000 lines' read here): the spill is the sign that the read is under way,
// with most of it still to do. Less memory fails the read; short lines only, so the reader's buffer
// (sized by the longest line allowed) fits within LIMIT.
const LINES = 800_000;
const LIMIT = "96MB";
const maxLineLength = 1000;
const log = path.join(dir, "big.log");
beforeAll(() => {
  writeFileSync(log, `${syntheticCombinedLines(LINES).join("\n")}\n`);
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
      files: [log],
      layout: "combined",
      keepLines: true,
      threads: 2,
      memoryLimit: LIMIT,
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
