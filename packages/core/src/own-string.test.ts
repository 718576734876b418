import { describe, expect, it } from "vitest";
import { ownString } from "./own-string.js";

describe("ownString", () => {
  it("returns equal text, lone surrogates included", () => {
    for (const value of ["", "GET", "a".repeat(13), "/api/v1/users/42?x=\ud800", "é€😀".repeat(9)]) {
      expect(ownString(value)).toBe(value);
    }
  });
});
