import { describe, expect, it } from "vitest";
import { ValueCodes } from "./value-codes.js";

describe("ValueCodes", () => {
  it("numbers values from 0 in order of first sight and gives a repeated value its code again", () => {
    const codes = new ValueCodes();
    const seen = ["GET", "POST", "GET", "__proto__", "", "POST", "constructor"].map((v) => codes.code(v));
    expect(seen).toEqual([0, 1, 0, 2, 3, 1, 4]);
    expect([0, 1, 2, 3, 4].map((c) => codes.value(c))).toEqual([
      "GET",
      "POST",
      "__proto__",
      "",
      "constructor",
    ]);
    expect(codes.size).toBe(5);
  });

  it("finds a value by its text, not by the string object it arrived in", () => {
    const codes = new ValueCodes();
    const line = "10.0.0.1 - - [x] 10.0.0.1-and-some-longer-text";
    const first = codes.code(line.slice(0, 8));
    codes.code("other");
    expect(codes.code(line.slice(17, 25))).toBe(first);
    expect(codes.code(`${"10.0.0."}${1}`)).toBe(first);
  });

  it("past its limit gives new values -1 and keeps the codes it handed out", () => {
    const codes = new ValueCodes(2);
    expect(["a", "b", "c", "a", "d", "c", "b"].map((v) => codes.code(v))).toEqual([0, 1, -1, 0, -1, -1, 1]);
    expect(codes.size).toBe(2);
  });

  it("refuses a code it never handed out and a limit it cannot keep", () => {
    const codes = new ValueCodes();
    codes.code("a");
    expect(() => codes.value(1)).toThrow(/no value has code 1/);
    expect(() => new ValueCodes(-1)).toThrow(RangeError);
    expect(() => new ValueCodes(1.5)).toThrow(RangeError);
  });
});
