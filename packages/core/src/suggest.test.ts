import { describe, expect, it } from "vitest";
import { nearest } from "./suggest.js";

describe("nearest", () => {
  it("suggests the known key a typo most resembles", () => {
    expect(nearest("optoins", ["use", "id", "options"])).toBe("options");
    expect(nearest("treshold", ["threshold", "minCount"])).toBe("threshold");
  });

  it("suggests nothing when no key is plausibly meant", () => {
    expect(nearest("banana", ["use", "id", "options"])).toBeUndefined();
  });
});
