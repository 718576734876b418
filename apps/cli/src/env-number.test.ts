import { describe, expect, it } from "vitest";
import { envWholeNumber } from "./env-number.js";

describe("envWholeNumber", () => {
  it("reads a whole number as written, 0 included", () => {
    expect(envWholeNumber({ env: { X: "0" }, name: "X", fallback: 7 })).toBe(0);
    expect(envWholeNumber({ env: { X: "1048576" }, name: "X", fallback: 7 })).toBe(1048576);
  });

  it("keeps the fallback when the setting is absent or not a whole number", () => {
    for (const given of [undefined, "", "-1", "1.5", "1e6", " 5", "ten"]) {
      expect(envWholeNumber({ env: { X: given }, name: "X", fallback: 7 })).toBe(7);
    }
  });
});
