import { describe, expect, it } from "vitest";
import { decodeQueryComponent, parseQuery } from "./decode.js";

describe("decodeQueryComponent", () => {
  it("reads + as a space and UTF-8 escapes as their characters", () => {
    expect(decodeQueryComponent("Jam%C3%B3n+Ib%C3%A9rico")).toBe("Jamón Ibérico");
  });

  it("reads escapes that are not UTF-8 as Latin-1 bytes", () => {
    expect(decodeQueryComponent("A%F1adir+al+carrito")).toBe("Añadir al carrito");
    expect(decodeQueryComponent("caf%E9")).toBe("café");
  });

  it("keeps malformed and truncated escapes as written instead of throwing", () => {
    expect(decodeQueryComponent("100%ZZ")).toBe("100%ZZ");
    expect(decodeQueryComponent("a%4")).toBe("a%4");
    expect(decodeQueryComponent("%")).toBe("%");
    expect(decodeQueryComponent("%%41")).toBe("%A");
  });

  it("decodes one level only, so a double-encoded payload keeps its percent signs", () => {
    expect(decodeQueryComponent("%253CSCRIPT%253E")).toBe("%3CSCRIPT%3E");
  });

  it("reads overlong and surrogate UTF-8 sequences as Latin-1 bytes", () => {
    expect(decodeQueryComponent("%C0%AF")).toBe("\u00c0\u00af");
    expect(decodeQueryComponent("%ED%A0%80")).toBe("\u00ed\u00a0\u0080");
  });
});

describe("parseQuery", () => {
  it("splits pairs in order, decodes names and values, and gives a bare name the empty value", () => {
    expect(parseQuery("page=2&q=a+b&&flag&na%6De=%27")).toEqual([
      { name: "page", value: "2" },
      { name: "q", value: "a b" },
      { name: "flag", value: "" },
      { name: "name", value: "'" },
    ]);
  });

  it("keeps everything after the first = in the value", () => {
    expect(parseQuery("page=2 AND 1=1")).toEqual([{ name: "page", value: "2 AND 1=1" }]);
  });

  it("reads an empty query as no pairs", () => {
    expect(parseQuery("")).toEqual([]);
  });
});
