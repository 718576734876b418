import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeTerminal } from "./escape.js";

describe("escapeTerminal", () => {
  it("shows an ANSI colour sequence in a user agent as text instead of sending ESC", () => {
    expect(escapeTerminal("Mozilla\u001b[31mRED\u001b[0m")).toBe("Mozilla\\x1B[31mRED\\x1B[0m");
  });

  it("escapes C1 controls, DEL and the 8-bit CSI", () => {
    expect(escapeTerminal("a\u009b2Jb\u007fc\u0085")).toBe("a\\x9B2Jb\\x7Fc\\x85");
  });

  it("escapes bidi overrides and zero-width characters that hide or reorder text", () => {
    expect(escapeTerminal("admin\u202Egpj.exe\u200B\uFEFF")).toBe("admin\\u{202E}gpj.exe\\u{200B}\\u{FEFF}");
  });

  it("escapes line breaks and tabs so one value stays on one line", () => {
    expect(escapeTerminal("a\r\nb\tc\u2028d")).toBe("a\\x0D\\x0Ab\\x09c\\u{2028}d");
  });

  it("escapes a lone surrogate but keeps a paired emoji and accented and CJK text", () => {
    expect(escapeTerminal("x\uD800y 😀 café 中文")).toBe("x\\u{D800}y 😀 café 中文");
  });

  it("never leaves a control, format or separator character in its output", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(escapeTerminal(text))).toBe(false);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
