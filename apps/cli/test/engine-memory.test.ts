import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { syntheticCombinedLines } from "@oddity/fixtures";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, oddity, tempDir, waitForEntry } from "./helpers.js";

// Lines enough that DuckDB, held to LIMIT, writes part of what it reads to its spill folder. DuckDB's
// reader takes a buffer sized by the longest line its read allows, so the runs allow short lines only,
// to leave most of LIMIT to the table.
const LINES = 150_000;
const LIMIT = "80MB";
const SHORT_LINES = ["--max-line-length", "1000"];

let log: string;
beforeAll(() => {
  log = path.join(tempDir(), "big.log");
  writeFileSync(log, `${syntheticCombinedLines(LINES).join("\n")}\n`);
});

describe("--engine duckdb --memory-limit", () => {
  it("fits within the limit to the model oddity fit writes, leaving nothing in TMPDIR or the working folder", async () => {
    const cwd = tempDir();
    const tmp = mkdtempSync(path.join(tempDir(), "tmp-"));
    const duck = await oddity(
      ["fit", log, ...SHORT_LINES, "--engine", "duckdb", "--memory-limit", LIMIT, "-o", "duck.json"],
      { cwd, env: { TMPDIR: tmp } },
    );
    const own = await oddity(["fit", log, ...SHORT_LINES, "-o", "own.json"], { cwd });
    expect([duck.code, own.code, duck.stderr]).toEqual([0, 0, expect.stringContaining("150,000 parsed")]);
    expect(readFileSync(path.join(cwd, "duck.json"), "utf8")).toBe(
      readFileSync(path.join(cwd, "own.json"), "utf8"),
    );
    // DuckDB's own default would have spilled into `.tmp` here.
    expect([readdirSync(cwd).sort(), readdirSync(tmp)]).toEqual([["duck.json", "own.json"], []]);
  });

  it("stops on Ctrl-C by interrupting DuckDB's query, with exit 130, removing the data it spilled", async () => {
    const cwd = tempDir();
    const tmp = mkdtempSync(path.join(tempDir(), "tmp-"));
    const child = spawn(
      process.execPath,
      [BIN, "detect", log, ...SHORT_LINES, "--engine", "duckdb", "--memory-limit", LIMIT, "-q"],
      { cwd, env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "ignore", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    // Interrupt once DuckDB has spilled: its folder holds a file.
    const folder = path.join(
      tmp,
      await waitForEntry({ dir: tmp, accept: (name) => name.startsWith("oddity-"), child }),
    );
    const spilled = await waitForEntry({
      dir: folder,
      accept: (name) => name.startsWith("duckdb_temp"),
      child,
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.kill("SIGINT");
    // Unwound by itself, not cut short after the grace period, which says so.
    expect([spilled.length > 0, await exited, stderr, readdirSync(tmp), readdirSync(cwd)]).toEqual([
      true,
      130,
      "oddity: interrupted\n",
      [],
      [],
    ]);
  });

  it("says a run needs more than the limit as a usage error, not a bug (exit 2)", async () => {
    // The reader's buffers alone (about 30 MiB for the 1 MiB lines a read first allows) are larger.
    const { code, stderr } = await oddity(["detect", log, "--engine", "duckdb", "--memory-limit", "16MB"]);
    expect([code, stderr.split("\n")[0]]).toEqual([
      2,
      expect.stringMatching(
        /^oddity: error: DuckDB needs more than its memory limit \(16MB\): Out of Memory Error/,
      ),
    ]);
  });

  it("refuses a limit without --engine, and a size it cannot read (exit 2)", async () => {
    const alone = await oddity(["fit", log, "--memory-limit", "1GB", "-o", "m.json"]);
    const unread = await oddity([
      "score",
      log,
      "--engine",
      "duckdb",
      "--memory-limit",
      "lots",
      "-m",
      "m.json",
    ]);
    expect([alone.code, alone.stderr.split("\n")[0]]).toEqual([
      2,
      "oddity: --memory-limit applies to --engine duckdb; without an engine, the detectors' own caps bound oddity's memory",
    ]);
    expect([unread.code, unread.stderr.split("\n")[0]]).toEqual([
      2,
      'oddity: --memory-limit: expected a size such as 512MB or 4GB, received "lots"',
    ]);
  });
});
