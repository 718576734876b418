import { describe, expect, it } from "vitest";
import { formatRatio, renderTable, safeText } from "./text.js";

describe("safeText", () => {
  it("shows terminal escapes, C1 controls and bidi overrides as code points", () => {
    expect(safeText("curl\u001b[31mred\u009b\u202egnp.exe\u200b")).toBe(
      "curl\\u{1b}[31mred\\u{9b}\\u{202e}gnp.exe\\u{200b}",
    );
  });

  it("cuts long values with an ellipsis before escaping", () => {
    expect(safeText("abcdef", 3)).toBe("abc…");
  });
});

describe("renderTable", () => {
  it("pads the label column left and the figures right", () => {
    expect(
      renderTable([
        ["", "precision", "recall"],
        ["all kinds", "0.5", "1.000"],
      ]),
    ).toBe(["             precision  recall", "  all kinds        0.5   1.000"].join("\n"));
  });
});

describe("formatRatio", () => {
  it("prints three decimals, and n/a for an undefined ratio", () => {
    expect([formatRatio(2 / 3), formatRatio(null)]).toEqual(["0.667", "n/a"]);
  });
});
