import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempFolders } from "../testing/temp-folders.js";
import { alignPieces, nextLineStart } from "./align.js";

const tempDir = tempFolders("oddity-align-");

function file(text: string): string {
  const dir = tempDir();
  const name = path.join(dir, "access.log");
  writeFileSync(name, text);
  return name;
}

describe("nextLineStart", () => {
  it("moves an offset inside a line to the start of the next line", async () => {
    expect(await nextLineStart(file("aaaa\nbbbb\ncccc\n"), 2)).toBe(5);
  });

  it("keeps an offset that already starts a line", async () => {
    expect(await nextLineStart(file("aaaa\nbbbb\n"), 5)).toBe(5);
  });

  it("goes to the end when the last line has no newline", async () => {
    expect(await nextLineStart(file("aaaa\nbbbb"), 7)).toBe(9);
  });
});

describe("alignPieces", () => {
  it("puts every cut on a line start and drops a range that falls inside one long line", async () => {
    const log = file(`${"x".repeat(30)}\nshort\n${"y".repeat(5)}\n`);
    const aligned = await alignPieces([
      [{ path: log, start: 0, end: 10 }],
      [{ path: log, start: 10, end: 20 }],
      [{ path: log, start: 20, end: 43 }],
    ]);
    expect(aligned).toEqual([[{ path: log, start: 0, end: 31 }], [{ path: log, start: 31, end: 43 }]]);
  });
});
