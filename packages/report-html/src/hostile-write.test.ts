import {
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXACT, reportOf } from "./fixtures.js";
import type { ReportData } from "./types.js";
import { writeReport } from "./write.js";

// `--report` may name a symlink or a device: the link must survive and the device stay a device.

describe("writeReport to what is not a plain file", () => {
  let dir = "";
  let data: ReportData;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "oddity-report-hostile-"));
    data = reportOf({ detectors: EXACT, records: makeRecords([{ times: 3 }]) }).data;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("replaces the file a symlink points to and keeps the link", async () => {
    writeFileSync(path.join(dir, "report-1.html"), "old");
    symlinkSync("report-1.html", path.join(dir, "latest.html"));
    await writeReport({ data, path: path.join(dir, "latest.html") });
    expect([
      readlinkSync(path.join(dir, "latest.html")),
      readFileSync(path.join(dir, "report-1.html"), "utf8").startsWith("<!doctype html>"),
      readdirSync(dir).sort(),
    ]).toEqual(["report-1.html", true, ["latest.html", "report-1.html"]]);
  });

  test("says the disk is full when the device is, and the device stays a device", async () => {
    const full = path.join(dir, "full.html");
    symlinkSync("/dev/full", full);
    await expect(writeReport({ data, path: full })).rejects.toThrow(
      new UserError(`cannot write ${full}: no space left on the device`),
    );
    expect(lstatSync("/dev/full").isCharacterDevice()).toBe(true);
  });
});
