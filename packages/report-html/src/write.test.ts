import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeRecords } from "@oddity/core/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXACT, reportOf } from "./fixtures.js";
import { renderReport } from "./render.js";
import { writeReport } from "./write.js";

describe("writeReport", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "oddity-report-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("writes the rendered page, returns its size in bytes and leaves no temporary file", async () => {
    const { data } = reportOf({
      detectors: EXACT,
      records: makeRecords([{ times: 30 }, { user_agent: "curl/8" }]),
    });
    const file = path.join(dir, "report.html");
    const bytes = await writeReport({ data, path: file });
    const written = await readFile(file, "utf8");
    expect(written).toBe(await renderReport(data));
    expect(bytes).toBe(Buffer.byteLength(written));
    expect(await readdir(dir)).toEqual(["report.html"]);
  });

  test("leaves nothing behind when the folder does not exist", async () => {
    const { data } = reportOf({ detectors: EXACT, records: makeRecords([{ times: 3 }]) });
    await expect(writeReport({ data, path: path.join(dir, "missing", "report.html") })).rejects.toThrow(
      /ENOENT/,
    );
    expect(await readdir(dir)).toEqual(["report.html"]);
  });
});
