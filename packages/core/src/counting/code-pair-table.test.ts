import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodePairTable } from "./code-pair-table.js";

const key = (a: number, b: number) => `${a},${b}`;

describe("CodePairTable", () => {
  it("holds what a map of pairs holds, through adds, full tables and clears", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          fc.oneof(
            fc.tuple(fc.nat(6), fc.nat(6), fc.integer({ min: 1, max: 5 })),
            fc.constant("clear" as const),
          ),
          { maxLength: 200 },
        ),
        (capacity, steps) => {
          const table = new CodePairTable(capacity);
          const truth = new Map<string, [number, number, number]>();
          for (const step of steps) {
            if (step === "clear") {
              table.clear();
              truth.clear();
              continue;
            }
            const [a, b, n] = step;
            const known = truth.get(key(a, b));
            const added = table.add(a, b, n);
            expect(added).toBe(known !== undefined || truth.size < capacity);
            if (known) known[2] += n;
            else if (added) truth.set(key(a, b), [a, b, n]);
            expect(table.get(a, b)).toBe(truth.get(key(a, b))?.[2]);
            expect([table.size, table.full]).toEqual([truth.size, truth.size >= capacity]);
          }
          const listed: Array<[number, number, number]> = [];
          table.forEach((a, b, n) => listed.push([a, b, n]));
          expect(listed).toEqual([...truth.values()]);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it("tells pairs apart by order: (1, 2) is not (2, 1)", () => {
    const table = new CodePairTable(4);
    table.add(1, 2, 5);
    expect([table.get(1, 2), table.get(2, 1)]).toEqual([5, undefined]);
  });

  it("refuses a capacity it cannot hold", () => {
    expect(() => new CodePairTable(0)).toThrow(RangeError);
    expect(() => new CodePairTable(2 ** 25)).toThrow(RangeError);
  });
});
