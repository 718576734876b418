import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HashHeap } from "./hash-heap.js";

function drain(heap: HashHeap): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  while (heap.size > 0) out.push(heap.pop());
  return out;
}

describe("HashHeap", () => {
  it("pops values largest hash first, whether built at once or pushed one by one", () => {
    const entry = fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), fc.array(entry, { maxLength: 60 }), (built, pushed) => {
        const heap = HashHeap.from(built);
        for (const [hash, value] of pushed) heap.push(hash, value);
        const byHash = new Map<string, number[]>();
        for (const [hash, value] of [...built, ...pushed])
          byHash.set(value, [...(byHash.get(value) ?? []), hash]);
        const hashes: number[] = [];
        while (heap.size > 0) {
          const top = heap.peek()!;
          const value = heap.pop()!;
          const candidates = byHash.get(value)!;
          expect(candidates).toContain(top);
          candidates.splice(candidates.indexOf(top), 1);
          hashes.push(top);
        }
        expect(hashes).toEqual([...built, ...pushed].map(([hash]) => hash).sort((a, b) => b - a));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("reports nothing once empty", () => {
    const heap = HashHeap.from([[7, "a"]]);
    expect([drain(heap), heap.pop(), heap.peek(), heap.size]).toEqual([["a"], undefined, undefined, 0]);
  });
});
