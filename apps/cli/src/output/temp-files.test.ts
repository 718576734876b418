import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTempFolder, lazyTempFolder, removePendingTempFiles } from "./temp-files.js";

describe("temp folders", () => {
  it("are removed with their files by the exit-time clean-up (a second Ctrl-C, a fatal error)", () => {
    const folder = createTempFolder();
    writeFileSync(path.join(folder, "anomalies.v8"), "log lines");
    removePendingTempFiles();
    expect(existsSync(folder)).toBe(false);
  });

  it("are created lazily, once, and removed on request", () => {
    const lazy = lazyTempFolder();
    const first = lazy.path();
    expect([lazy.path(), existsSync(first)]).toEqual([first, true]);
    lazy.remove();
    expect(existsSync(first)).toBe(false);
  });
});
