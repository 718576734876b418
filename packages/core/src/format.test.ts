import { describe, expect, it } from "vitest";
import { formatCount, formatProbability, quoteValue, surprisal } from "./format.js";

describe("format", () => {
  it("prints probabilities with two significant digits like the lesson's table", () => {
    expect(formatProbability(1 / 13978)).toBe("0.000072");
    expect(formatProbability(3 / 11998)).toBe("0.00025");
    expect(formatProbability(0.85885)).toBe("0.86");
    expect(formatProbability(2.5e-9)).toBe("2.5e-9");
    expect(formatProbability(0)).toBe("0");
  });

  it("groups thousands in counts", () => {
    expect(formatCount(13978)).toBe("13,978");
    expect(formatCount(7)).toBe("7");
  });

  it("measures surprisal in bits", () => {
    expect(surprisal(0.5)).toBe(1);
    expect(surprisal(1 / 1024)).toBe(10);
    expect(surprisal(1)).toBe(0);
    expect(surprisal(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it("quotes values with control characters escaped and long ones shortened", () => {
    expect(quoteValue("a\u001b[31mred")).toBe('"a\\u001b[31mred"');
    expect(quoteValue("x".repeat(10), 4)).toBe('"xxxx…"');
  });
});
