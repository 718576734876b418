import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hashA, hashABC, hashB, hashC } from "./hash.js";

// Values shaped like the ones counters see: addresses, paths with ids, short tokens.
const SHAPES: Record<string, (i: number) => string> = {
  ip: (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  path: (i) => `/item?page=${i}`,
  token: (i) => i.toString(36),
};
const N = 60_000;
const SHARE = 1 / 20;
const COLUMNS = 64; // 2^6 buckets
// χ² with 63 degrees of freedom exceeds 103.4 with probability 0.001.
const CHI2_CRITICAL = 103.4;

describe("hashC, the selection hash", () => {
  it.each(Object.keys(SHAPES))(
    "selects a 1-in-20 share of %s values, to within 4 standard deviations",
    (shape) => {
      const make = SHAPES[shape]!;
      let selected = 0;
      for (let i = 0; i < N; i++) if (hashC(make(i)) < 2 ** 32 * SHARE) selected++;
      expect(Math.abs(selected - N * SHARE)).toBeLessThan(4 * Math.sqrt(N * SHARE * (1 - SHARE)));
    },
  );

  const SKETCH_HASHES = { hashA, hashB };
  const pairs = Object.keys(SHAPES).flatMap((shape) => Object.keys(SKETCH_HASHES).map((h) => [shape, h]));

  it.each(pairs)(
    "selects %s values independently of the sketch's %s (χ² test over its top 6 bits at p = 0.001)",
    (shape, name) => {
      const make = SHAPES[shape]!;
      const other = SKETCH_HASHES[name as keyof typeof SKETCH_HASHES];
      const all = new Array<number>(COLUMNS).fill(0);
      const chosen = new Array<number>(COLUMNS).fill(0);
      let selected = 0;
      for (let i = 0; i < N; i++) {
        const value = make(i);
        const column = other(value) >>> 26;
        all[column]!++;
        if (hashC(value) < 2 ** 32 * SHARE) {
          chosen[column]!++;
          selected++;
        }
      }
      let chi2 = 0;
      for (let c = 0; c < COLUMNS; c++) {
        const expected = (all[c]! * selected) / N;
        chi2 += (chosen[c]! - expected) ** 2 / expected;
      }
      expect(chi2).toBeLessThan(CHI2_CRITICAL);
    },
  );
});

describe("hashABC", () => {
  it("gives the same three hashes as hashA, hashB and hashC one at a time", () => {
    const out = new Uint32Array(3);
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        hashABC(value, out);
        expect([...out]).toEqual([hashA(value), hashB(value), hashC(value)]);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
