import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedCounter } from "./bounded-counter.js";
import { pairKey } from "./pair-key.js";
import { ValueCodes } from "./value-codes.js";

// A tiny sketch so sketched values collide too.
const SKETCH = { width: 7, depth: 2 };
const VALUES = ["GET", "POST", "__proto__", "", "x:y", "10.0.0.1", "/admin", "curl/8", "é", "1:ab"];
const value = fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 3 }));

/** One step of a run: add a value n times, or read a count between adds. */
const step = fc.oneof(
  fc.tuple(fc.constant("add" as const), value, fc.integer({ min: 1, max: 3 })),
  fc.tuple(fc.constant("count" as const), value, fc.constant(0)),
);

describe("BoundedCounter counting by code", () => {
  it("holds the same counter as counting by text, with reads between adds and past the code limit", () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 150 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 6 }),
        (steps, cap, limit) => {
          const byText = new BoundedCounter({ maxDistinct: cap, sketch: SKETCH });
          const codes = new ValueCodes(limit);
          const byCode = new BoundedCounter({ maxDistinct: cap, sketch: SKETCH, codes });
          for (const [kind, v, n] of steps) {
            if (kind === "add") [byText, byCode].forEach((c) => c.add(v, n));
            else expect([v, byCode.count(v), byCode.total]).toEqual([v, byText.count(v), byText.total]);
          }
          expect(JSON.stringify(byCode)).toBe(JSON.stringify(byText));
          expect(codes.size).toBeLessThanOrEqual(limit);
        },
      ),
      { seed: 42, numRuns: 400 },
    );
  });

  it("counts pairs by code as it counts their key text, reads between adds included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), value, value), { maxLength: 150 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 6 }),
        (steps, cap, limit) => {
          const byText = new BoundedCounter({ maxDistinct: cap, sketch: SKETCH });
          const pairCodes = [new ValueCodes(limit), new ValueCodes(limit)] as const;
          const byCode = new BoundedCounter({ maxDistinct: cap, sketch: SKETCH, pairCodes });
          for (const [add, a, b] of steps) {
            if (add) {
              byText.add(pairKey(a, b));
              byCode.addPair(a, b);
            } else {
              expect(byCode.countPair(a, b)).toBe(byText.count(pairKey(a, b)));
            }
          }
          expect(JSON.stringify(byCode)).toBe(JSON.stringify(byText));
        },
      ),
      { seed: 42, numRuns: 400 },
    );
  });

  it("adds what it tallied when more distinct pairs arrive than it tallies at once", () => {
    const byText = new BoundedCounter({ maxDistinct: 1000 });
    const byCode = new BoundedCounter({ maxDistinct: 1000, pairCodes: [new ValueCodes(), new ValueCodes()] });
    for (let i = 0; i < 150_000; i++) {
      const [a, b] = [`10.0.${i % 400}.1`, `agent ${(i * 7) % 251}`];
      byText.add(pairKey(a, b));
      byCode.addPair(a, b);
    }
    expect(byCode.overflowed).toBe(true);
    expect(JSON.stringify(byCode)).toBe(JSON.stringify(byText));
  });

  it("merges shard counters counted by code into the counter of the whole counted by text", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, fc.nat(2)), { maxLength: 120 }), (items) => {
        const codes = new ValueCodes();
        const whole = new BoundedCounter({ maxDistinct: 4, sketch: SKETCH });
        const shards = [0, 1, 2].map(() => new BoundedCounter({ maxDistinct: 4, sketch: SKETCH, codes }));
        for (const [v, shard] of items) {
          whole.add(v);
          shards[shard]!.add(v);
        }
        const merged = BoundedCounter.merge(BoundedCounter.merge(shards[2]!, shards[0]!), shards[1]!);
        expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
        merged.add("late");
        whole.add("late");
        expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("loaded with codes, counts and keeps counting as the counter it was saved from", () => {
    const saved = new BoundedCounter({ maxDistinct: 3, sketch: SKETCH });
    for (const v of [...VALUES, "GET", "GET", "/admin"]) saved.add(v);
    const loaded = BoundedCounter.fromJSON(JSON.parse(JSON.stringify(saved)), "counter", {
      codes: new ValueCodes(),
    });
    expect(VALUES.map((v) => loaded.count(v))).toEqual(VALUES.map((v) => saved.count(v)));
    for (const v of ["GET", "new", "é"]) [saved, loaded].forEach((c) => c.add(v));
    expect(VALUES.map((v) => loaded.count(v))).toEqual(VALUES.map((v) => saved.count(v)));
    expect(JSON.stringify(loaded)).toBe(JSON.stringify(saved));
  });
});
