import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createAtomicFile } from "./atomic.js";
import { removePendingTempFiles } from "./temp-files.js";

const dir = mkdtempSync(path.join(tmpdir(), "oddity-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("an atomic output file", () => {
  it("exists as a temp file once opened, so a Ctrl-C right then leaves nothing behind", async () => {
    const out = createAtomicFile(path.join(dir, "out.ndjson"));
    const opened = readdirSync(dir);
    removePendingTempFiles();
    await out.abort();
    expect([opened.length, opened[0]?.startsWith(".out.ndjson."), readdirSync(dir)]).toEqual([1, true, []]);
  });
});
