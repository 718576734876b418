import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pairKey, splitPairKey } from "./pair-key.js";

describe("pairKey", () => {
  it("keeps pairs apart even when values contain the separator and digits", () => {
    expect(pairKey("a:b", "c")).not.toBe(pairKey("a", ":bc"));
    expect(pairKey("1", "2:3")).not.toBe(pairKey("1:2", "3"));
    expect(splitPairKey(pairKey("3:x", "12:"))).toEqual(["3:x", "12:"]);
  });

  it("splits back into the two values it was made of", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (given, target) => {
        expect(splitPairKey(pairKey(given, target))).toEqual([given, target]);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it("throws on a string that is not a pair key", () => {
    expect(() => splitPairKey("9:abc")).toThrow('not a pair key: "9:abc"');
    expect(() => splitPairKey("abc")).toThrow("not a pair key");
  });
});
