import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { expandInputs } from "./expand.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "oddity-expand-"));
  mkdirSync(path.join(dir, "2019"));
  for (const name of ["b.log", "a.log", "a.log.gz", "2019/c.log", "odd[1].log"])
    writeFileSync(path.join(dir, name), "");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("expandInputs", () => {
  it("expands an absolute pattern to sorted absolute paths", async () => {
    expect(await expandInputs([path.join(dir, "*.log")])).toEqual([
      path.join(dir, "a.log"),
      path.join(dir, "b.log"),
      path.join(dir, "odd[1].log"),
    ]);
  });

  it("expands ** into folders and keeps the order of the arguments", async () => {
    expect(await expandInputs([path.join(dir, "**/c.log"), "-", path.join(dir, "*.gz")])).toEqual([
      path.join(dir, "2019/c.log"),
      "-",
      path.join(dir, "a.log.gz"),
    ]);
  });

  it("passes a path that exists through even when it looks like a pattern", async () => {
    expect(await expandInputs([path.join(dir, "odd[1].log")])).toEqual([path.join(dir, "odd[1].log")]);
  });

  it("passes plain paths through unchecked: reading reports the missing ones", async () => {
    expect(await expandInputs(["missing.log"])).toEqual(["missing.log"]);
  });

  it("throws an InputError for a pattern that matches nothing", async () => {
    const pattern = path.join(dir, "*.csv");
    await expect(expandInputs([pattern])).rejects.toThrow(new InputError(`no files match ${pattern}`));
  });
});
