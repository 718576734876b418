import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ModelError } from "../errors.js";
import type { SketchShape } from "./count-min.js";
import { BoundedCounter, compareCounts } from "./bounded-counter.js";

function counted(values: readonly string[], maxDistinct = 100, sketch?: SketchShape): BoundedCounter {
  const counter = new BoundedCounter({ maxDistinct, ...(sketch ? { sketch } : {}) });
  for (const v of values) counter.add(v);
  return counter;
}

/** A value and how many occurrences to add at once. */
type Weighted = readonly [value: string, n: number];

// A tiny sketch so the property tests also cover colliding cells.
const TINY_SKETCH = { width: 7, depth: 2 };

function countedWeighted(entries: readonly Weighted[], maxDistinct: number): BoundedCounter {
  const counter = new BoundedCounter({ maxDistinct, sketch: TINY_SKETCH });
  for (const [value, n] of entries) counter.add(value, n);
  return counter;
}

const CANDIDATES = [
  "GET",
  "POST",
  "__proto__",
  "constructor",
  "",
  "x:y",
  "10.0.0.1",
  "/admin",
  "curl/8",
  "é",
];

const weighted = fc.tuple(
  fc.oneof(fc.constantFrom(...CANDIDATES), fc.string({ maxLength: 3 })),
  fc.integer({ min: 1, max: 3 }),
);

function byHashDescending(a: string, b: string): number {
  return BoundedCounter.selectionHash(b) - BoundedCounter.selectionHash(a);
}

/**
 * The selection rule restated from the definition: with the distinct values' hashes sorted, the ceiling
 * is the (maxDistinct + 1)-th smallest (at most maxDistinct hashes lie below it, ties included), the
 * exact values are those hashing below it, and the sketch holds every occurrence of the others.
 */
function byTheRule(entries: ReadonlyArray<string | Weighted>, maxDistinct: number) {
  const truth = new Map<string, number>();
  for (const entry of entries) {
    const [value, n] = typeof entry === "string" ? [entry, 1] : entry;
    truth.set(value, (truth.get(value) ?? 0) + n);
  }
  const hashes = [...truth.keys()].map((v) => BoundedCounter.selectionHash(v)).sort((a, b) => a - b);
  const ceiling = hashes[maxDistinct] ?? BoundedCounter.NO_CEILING;
  const exact = (v: string) => BoundedCounter.selectionHash(v) < ceiling;
  const values = [...truth].filter(([v]) => exact(v)).sort(compareCounts);
  const spilled = [...truth].filter(([v]) => !exact(v)).reduce((sum, [, n]) => sum + n, 0);
  return { ceiling, values, spilled, truth };
}

describe("BoundedCounter", () => {
  it("lists values most frequent first, ties in compareCounts' order, for any text", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: "binary", maxLength: 6 }), fc.integer({ min: 1, max: 4 })), {
          maxLength: 300,
        }),
        (entries) => {
          const counter = new BoundedCounter({ maxDistinct: 1000 });
          const truth = new Map<string, number>();
          for (const [value, n] of entries) {
            counter.add(value, n);
            truth.set(value, (truth.get(value) ?? 0) + n);
          }
          expect(counter.sorted()).toEqual([...truth].sort(compareCounts));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it("counts prototype-named values like any other", () => {
    const counter = counted(["__proto__", "constructor", "__proto__", "toString", "hasOwnProperty"]);
    expect(counter.sorted()).toEqual([
      ["__proto__", 2],
      ["constructor", 1],
      ["hasOwnProperty", 1],
      ["toString", 1],
    ]);
    expect([counter.count("__proto__"), counter.count("valueOf"), counter.total]).toEqual([2, 0, 5]);
  });

  it("lists values by count then value, whatever order they arrived in", () => {
    expect(counted(["b", "a", "c", "c"]).toJSON().values).toEqual(
      counted(["c", "a", "c", "b"]).toJSON().values,
    );
    expect(counted(["b", "a", "c", "c"]).toJSON().values).toEqual([
      ["c", 2],
      ["a", 1],
      ["b", 1],
    ]);
  });

  it("past the cap keeps exact the values with the smallest selection hashes and sketches all of the rest", () => {
    const values = ["a", "a", "a", "b", "c", ...Array.from({ length: 200 }, (_, i) => `/page/${i % 50}`)];
    const counter = counted(values, 3, { width: 16, depth: 3 });
    const rule = byTheRule(values, 3);
    expect([counter.ceiling, counter.sorted(), counter.distinct, counter.spilled, counter.total]).toEqual([
      rule.ceiling,
      rule.values,
      3,
      rule.spilled,
      205,
    ]);
    expect(counter.overflowed).toBe(true);
    expect(counter.errorBound()).toBe(Math.ceil((Math.E / 16) * rule.spilled));
    for (const [value, truth] of rule.truth) {
      const exact = BoundedCounter.selectionHash(value) < rule.ceiling;
      expect([value, counter.isExact(value)]).toEqual([value, exact]);
      if (exact) expect(counter.count(value)).toBe(truth);
      else expect(counter.count(value)).toBeGreaterThanOrEqual(truth);
    }
  });

  it("holds exactly the counter the rule predicts, whatever the values and their order", () => {
    fc.assert(
      fc.property(fc.array(weighted, { maxLength: 120 }), fc.integer({ min: 1, max: 8 }), (entries, cap) => {
        const counter = countedWeighted(entries, cap);
        const rule = byTheRule(entries, cap);
        expect([counter.ceiling, counter.sorted(), counter.spilled, counter.overflowed]).toEqual([
          rule.ceiling,
          rule.values,
          rule.spilled,
          rule.ceiling < BoundedCounter.NO_CEILING,
        ]);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("merging shard counters in any order and grouping equals counting the whole, past the cap too", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(weighted, fc.nat(3), fc.nat()), { maxLength: 150 }),
        fc.boolean(),
        (items, balanced) => {
          const whole = countedWeighted(
            items.map(([entry]) => entry),
            5,
          );
          const reordered = countedWeighted(
            [...items].sort((p, q) => p[2] - q[2]).map(([entry]) => entry),
            5,
          );
          const shards = [0, 1, 2, 3].map((shard) =>
            countedWeighted(
              items
                .filter(([, s]) => s === shard)
                .sort((p, q) => q[2] - p[2])
                .map(([entry]) => entry),
              5,
            ),
          );
          const [s0, s1, s2, s3] = shards as [BoundedCounter, BoundedCounter, BoundedCounter, BoundedCounter];
          const merged = balanced
            ? BoundedCounter.merge(BoundedCounter.merge(s3, s1), BoundedCounter.merge(s0, s2))
            : BoundedCounter.merge(s2, BoundedCounter.merge(s0, BoundedCounter.merge(s1, s3)));
          expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
          expect(JSON.stringify(reordered)).toBe(JSON.stringify(whole));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it("a merge past the cap keeps the smallest hashes exact, even when that sketches the most frequent value", () => {
    // The most frequent value is the candidate with the largest hash: the rule sketches it.
    const [frequent, ...others] = [...CANDIDATES].sort(byHashDescending);
    const left = [frequent!, frequent!, frequent!, others[0]!, others[1]!];
    const right = [others[2]!, others[2]!, frequent!, others[3]!];
    const merged = BoundedCounter.merge(counted(left, 3), counted(right, 3));
    const rule = byTheRule([...left, ...right], 3);
    expect([merged.ceiling, merged.sorted(), merged.total, merged.spilled]).toEqual([
      rule.ceiling,
      rule.values,
      9,
      rule.spilled,
    ]);
    expect([merged.isExact(frequent!), merged.count(frequent!) >= 4]).toEqual([false, true]);
  });

  it("a value exact on one shard and sketched on another is wholly sketched after merging, never split", () => {
    // Three distinct values under a cap of 2: the one with the largest hash is sketched.
    const [x, y, z] = [...CANDIDATES].sort(byHashDescending) as [string, string, string];
    const left = counted([x], 2);
    const right = counted([y, z, x, x], 2);
    const merged = BoundedCounter.merge(left, right);
    expect([left.isExact(x), right.isExact(x)]).toEqual([true, false]);
    expect([merged.isExact(x), merged.count(x) >= 3, merged.sorted().length, merged.total]).toEqual([
      false,
      true,
      2,
      5,
    ]);
    expect(merged.toJSON()).toEqual(counted([x, y, z, x, x], 2).toJSON());
  });

  it("counts a never-seen value as exactly 0 when its hash is below the ceiling, and as an estimate above it", () => {
    const counter = counted(CANDIDATES.slice(0, 8), 4, { width: 3, depth: 1 });
    const probes = Array.from({ length: 40 }, (_, i) => `probe-${i}`);
    const below = probes.find((p) => BoundedCounter.selectionHash(p) < counter.ceiling)!;
    const above = probes.find((p) => BoundedCounter.selectionHash(p) >= counter.ceiling)!;
    expect([counter.count(below), counter.isExact(below), counter.isExact(above)]).toEqual([0, true, false]);
  });

  it("refuses to merge counters of different sizes", () => {
    expect(() => BoundedCounter.merge(counted(["a"], 2), counted(["a"], 3))).toThrow(
      "cannot merge counters of different sizes",
    );
  });

  it("round-trips through JSON text, sketch included, and keeps counting as the original would", () => {
    const counter = counted(["a", "b", "c", "d", "d", "__proto__"], 2, { width: 20, depth: 2 });
    const loaded = BoundedCounter.fromJSON(JSON.parse(JSON.stringify(counter)));
    expect(loaded.toJSON()).toEqual(counter.toJSON());
    expect([loaded.count("d"), loaded.count("__proto__")]).toEqual([
      counter.count("d"),
      counter.count("__proto__"),
    ]);
    for (const v of CANDIDATES) [counter, loaded].forEach((c) => c.add(v));
    expect(loaded.toJSON()).toEqual(counter.toJSON());
    expect(loaded.ceiling).toBeLessThan(BoundedCounter.NO_CEILING);
  });

  it("evicts every value sharing the ceiling's hash at once", () => {
    // Two values with equal hashes, found by a birthday search (a 32-bit hash collides within ~10^5 tries).
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const value = `v${i}`;
      const hash = BoundedCounter.selectionHash(value);
      const twin = seen.get(hash);
      if (twin === undefined) seen.set(hash, value);
      else pair = [twin, value];
    }
    const [p, q] = pair;
    const tied = BoundedCounter.selectionHash(p);
    const lower = [...seen].find(([hash]) => hash < tied)![1];
    const counter = counted([lower, p, q, q], 2);
    expect([counter.ceiling, counter.sorted(), counter.spilled]).toEqual([tied, [[lower, 1]], 3]);
    expect([counter.isExact(p), counter.isExact(q)]).toEqual([false, false]);
  });

  describe("rejects a crafted or corrupted counter", () => {
    const valid = () => counted(["a", "a", "b"], 5).toJSON();
    it.each([
      [
        "a negative count",
        (j: ReturnType<typeof valid>) => (j.values[0]![1] = -2),
        "counter.values[0][1]: expected a count",
      ],
      [
        "a zero count",
        (j: ReturnType<typeof valid>) => (j.values[1]![1] = 0),
        "counter.values[1][1]: expected a count of at least 1",
      ],
      [
        "a fractional count",
        (j: ReturnType<typeof valid>) => (j.values[0]![1] = 1.5),
        "counter.values[0][1]: expected a count",
      ],
      [
        "an entry that is not a [value, count] pair",
        (j: ReturnType<typeof valid>) => ((j.values as unknown[])[1] = ["b"]),
        "counter.values[1]: expected [value, count]: a string and a count",
      ],
      [
        "a value that is not a string",
        (j: ReturnType<typeof valid>) => ((j.values[0] as unknown[])[0] = 7),
        "counter.values[0]: expected [value, count]",
      ],
      ["a huge total", (j: ReturnType<typeof valid>) => (j.total = 1e300), "counter.total: expected a count"],
      [
        "a total that does not add up",
        (j: ReturnType<typeof valid>) => (j.total = 4),
        "counter.total: is 4 but the counts add up to 3",
      ],
      [
        "a value listed twice",
        (j: ReturnType<typeof valid>) => (j.values[1]![0] = "a"),
        'counter.values[1]: "a" is listed twice',
      ],
      [
        "more values than the cap",
        (j: ReturnType<typeof valid>) => (j.maxDistinct = 1),
        "counter.values: holds 2 values, more than maxDistinct 1",
      ],
      [
        "a text count",
        (j: ReturnType<typeof valid>) => ((j.values[0] as unknown[])[1] = "2"),
        "counter.values[0][1]: expected a count",
      ],
    ])("%s", (_name, corrupt, message) => {
      const json = valid();
      corrupt(json);
      expect(() => BoundedCounter.fromJSON(json)).toThrow(ModelError);
      expect(() => BoundedCounter.fromJSON(json)).toThrow(message);
    });

    const overflowed = () => counted(CANDIDATES, 4, { width: 5, depth: 2 }).toJSON();
    it.each([
      [
        "an exact value hashing at or above the ceiling",
        (j: ReturnType<typeof overflowed>) => (j.ceiling = BoundedCounter.selectionHash(j.values[0]![0])),
        (j: ReturnType<typeof overflowed>) =>
          `counter.values[0]: ${JSON.stringify(j.values[0]![0])} hashes to ${j.ceiling}, not below the ceiling ${j.ceiling}, so its count belongs in the sketch`,
      ],
      [
        "a ceiling without a sketch",
        (j: ReturnType<typeof overflowed>) => (j.sketch = null),
        () => "counter.sketch: is missing but the ceiling is below 2^32",
      ],
      [
        "a sketch without a ceiling",
        (j: ReturnType<typeof overflowed>) => (j.ceiling = 2 ** 32),
        () => "counter.sketch: is present but the ceiling is 2^32 (no overflow)",
      ],
      [
        "a ceiling above 2^32",
        (j: ReturnType<typeof overflowed>) => (j.ceiling = 2 ** 32 + 1),
        () => "counter.ceiling: expected a ceiling: a whole number from 0 to 2^32",
      ],
      [
        "a sketch of another shape",
        (j: ReturnType<typeof overflowed>) => (j.sketchShape.width = 6),
        () => "counter.sketch: its shape differs from sketchShape",
      ],
    ])("%s", (_name, corrupt, message) => {
      const json = overflowed();
      corrupt(json);
      expect(() => BoundedCounter.fromJSON(json)).toThrow(ModelError);
      expect(() => BoundedCounter.fromJSON(json)).toThrow(message(json));
    });

    it("an unexpected __proto__ key, without polluting Object.prototype", () => {
      const json: unknown = JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(valid()).slice(1)}`);
      expect(() => BoundedCounter.fromJSON(json)).toThrow('counter: Unrecognized key: "__proto__"');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
