import { describe, expect, it } from "vitest";
import { joinOutcomes, sumStats, type PieceOutcome } from "./outcome.js";
import type { FormattedPiece } from "./pieces.js";

const combined = { name: "combined" } as const;

function outcome(read: number, extra: Partial<PieceOutcome> = {}): PieceOutcome {
  return {
    stats: { read, parsed: read, rejected: 0, blank: 0, bytes: read * 100 },
    format: "combined",
    warnings: [],
    rejections: [],
    ...extra,
  };
}

describe("joinOutcomes", () => {
  it("numbers the lines of later pieces of a file from the start of the file, not of the piece", () => {
    const pieces: FormattedPiece[] = [
      { path: "a.log", start: 0, end: 500, format: combined },
      { path: "a.log", start: 500, end: 900, format: combined },
      { path: "b.log", format: { name: "auto" } },
      { path: "a.log", start: 900, end: 1000, format: combined },
    ];
    const rejection = (line: number, source = "a.log") => ({ source, line, reason: "bad", excerpt: "x" });
    const joined = joinOutcomes({
      pieces,
      outcomes: [
        outcome(5),
        outcome(4, { rejections: [rejection(2)] }),
        outcome(7, { rejections: [rejection(3, "b.log")], format: "common, auto-detected" }),
        outcome(1, { rejections: [rejection(1)] }),
      ],
      split: new Map([["a.log", { description: "combined, auto-detected", warning: "a.log: doubt" }]]),
    });
    expect(joined).toEqual({
      stats: { read: 17, parsed: 17, rejected: 0, blank: 0, bytes: 1700 },
      format: "combined, auto-detected; common, auto-detected",
      warnings: ["a.log: doubt"],
      rejections: [rejection(7), rejection(3, "b.log"), rejection(10)],
      firstRejection: rejection(7),
      lineOffsets: [0, 5, 0, 9],
    });
  });
});

describe("sumStats", () => {
  it("adds totals field by field", () => {
    expect(
      sumStats([
        { read: 3, parsed: 2, rejected: 1, blank: 0, bytes: 30 },
        { read: 5, parsed: 4, rejected: 0, blank: 1, bytes: 50 },
      ]),
    ).toEqual({ read: 8, parsed: 6, rejected: 1, blank: 1, bytes: 80 });
  });
});
