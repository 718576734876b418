import { describe, expect, test } from "vitest";
import { estimateTextWidth } from "./text-width.js";

describe("estimateTextWidth", () => {
  test("measures narrow letters narrower than wide ones, in proportion to the font size", () => {
    // Helvetica: "i" is 222/1000 em and "M" 833/1000 em; ×1.2 for the wider faces browsers use.
    expect(estimateTextWidth("iiii", 10)).toBeCloseTo(4 * 2.22 * 1.2, 6);
    expect(estimateTextWidth("MMMM", 20)).toBeCloseTo(4 * 16.66 * 1.2, 6);
  });

  test("counts a wide character (CJK, emoji) as a full em and other letters as 0.6 em", () => {
    expect(estimateTextWidth("東😀é", 10)).toBeCloseTo((10 + 10 + 6) * 1.2, 6);
  });
});
