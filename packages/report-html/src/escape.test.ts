import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { displayText, escapeHtml, htmlText } from "./escape.js";

describe("escapeHtml", () => {
  test("escapes the five characters that can open markup or end an attribute", () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&amp;`)).toBe(
      "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;amp;",
    );
  });

  test("never lets a character that opens markup or ends an attribute through", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const escaped = htmlText(value);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39);/g, "")).not.toContain("&");
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

describe("displayText", () => {
  test("shows terminal escapes, bidi overrides and zero-width characters as visible escapes", () => {
    expect(displayText("a\u001b[31mb\u202ec\u200bd\u0000e")).toBe("a\\x1b[31mb\\u{202e}c\\u{200b}d\\x00e");
  });

  test("keeps tabs and newlines visible instead of letting them break the layout", () => {
    expect(displayText("GET /\r\nX-Injected: 1\tz")).toBe("GET /\\x0d\\nX-Injected: 1\\tz");
  });

  test("shows a lone surrogate as an escape instead of losing it in UTF-8", () => {
    expect(displayText("ab\ud800c")).toBe("ab\\u{d800}c");
  });

  test("shortens long values without splitting a surrogate pair", () => {
    expect(displayText("abc😀def", 4)).toBe("abc…");
    expect(displayText("abcdef", 4)).toBe("abcd…");
  });

  test("leaves ordinary text, including non-Latin scripts and emoji, unchanged", () => {
    expect(displayText("Jamón ibérico — 東京 😀")).toBe("Jamón ibérico — 東京 😀");
  });
});
