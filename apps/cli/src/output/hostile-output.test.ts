import { execFileSync } from "node:child_process";
import {
  createReadStream,
  lstatSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { tempFolders } from "../testing/temp-folders.js";
import { writeFileAtomic } from "./atomic.js";

// `--output` may name a symlink, a device or a pipe. Renaming a temp file over those would replace the
// link or the device node itself (as root, `--output /dev/null` would leave a plain file there).

const tempDir = tempFolders("oddity-output-");

describe("writing --output to what is not a plain file", () => {
  it("replaces the file a symlink points to and keeps the link", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "results.json"), "old");
    symlinkSync("results.json", path.join(dir, "latest.json"));
    await writeFileAtomic(path.join(dir, "latest.json"), "new");
    expect([
      readlinkSync(path.join(dir, "latest.json")),
      readFileSync(path.join(dir, "results.json"), "utf8"),
      readdirSync(dir).sort(),
    ]).toEqual(["results.json", "new", ["latest.json", "results.json"]]);
  });

  it("writes into a named pipe, which stays a pipe", async () => {
    const dir = tempDir();
    const fifo = path.join(dir, "out.fifo");
    execFileSync("mkfifo", [fifo]);
    const received = text(createReadStream(fifo));
    await writeFileAtomic(fifo, "through the pipe\n");
    expect([await received, lstatSync(fifo).isFIFO(), readdirSync(dir)]).toEqual([
      "through the pipe\n",
      true,
      ["out.fifo"],
    ]);
  });

  it("says the disk is full when the device behind a link is, and the device stays a device", async () => {
    const dir = tempDir();
    symlinkSync("/dev/full", path.join(dir, "out.json"));
    await expect(writeFileAtomic(path.join(dir, "out.json"), "x".repeat(100_000))).rejects.toThrow(
      `cannot write ${path.join(dir, "out.json")}: no space left on the device`,
    );
    expect([lstatSync("/dev/full").isCharacterDevice(), readdirSync(dir)]).toEqual([true, ["out.json"]]);
  });
});
