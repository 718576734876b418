import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ModelError } from "../errors.js";
import { BoundedCounter } from "./bounded-counter.js";

function counted(values: readonly string[], maxDistinct = 100): BoundedCounter {
  const counter = new BoundedCounter({ maxDistinct });
  for (const v of values) counter.add(v);
  return counter;
}

describe("BoundedCounter", () => {
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

  it("counts exactly up to the cap and sketches later newcomers with a stated error bound", () => {
    const counter = new BoundedCounter({ maxDistinct: 3, sketch: { width: 16, depth: 3 } });
    for (const v of ["a", "a", "b", "c"]) counter.add(v);
    for (let i = 0; i < 200; i++) counter.add(`/page/${i % 50}`);
    counter.add("a");
    expect([counter.count("a"), counter.isExact("a"), counter.distinct, counter.spilled]).toEqual([
      3,
      true,
      3,
      200,
    ]);
    expect(counter.overflowed).toBe(true);
    expect(counter.isExact("/page/7")).toBe(false);
    expect(counter.errorBound()).toBe(Math.ceil((Math.E / 16) * 200));
    for (let i = 0; i < 50; i++) expect(counter.count(`/page/${i}`)).toBeGreaterThanOrEqual(4);
  });

  it("merging shard counters equals counting the whole, exactly, while under the cap", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("GET", "POST", "__proto__", "constructor", "", "x:y"), { maxLength: 80 }),
        fc.nat(),
        fc.nat(),
        (values, i, j) => {
          const [x, y] = [i % (values.length + 1), j % (values.length + 1)].sort((p, q) => p - q) as [
            number,
            number,
          ];
          const shards = [values.slice(0, x), values.slice(x, y), values.slice(y)].map((s) => counted(s, 6));
          const merged = BoundedCounter.merge(BoundedCounter.merge(shards[0]!, shards[1]!), shards[2]!);
          expect(merged.toJSON()).toEqual(counted(values, 6).toJSON());
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("a merge past the cap keeps the most frequent values exact and sketches the rest", () => {
    const left = counted(["a", "a", "a", "b", "c"], 3);
    const right = counted(["d", "d", "e", "a"], 3);
    const merged = BoundedCounter.merge(left, right);
    expect(merged.sorted()).toEqual([
      ["a", 4],
      ["d", 2],
      ["b", 1],
    ]);
    expect([merged.total, merged.spilled, merged.isExact("a")]).toEqual([9, 2, true]);
    expect(merged.count("c")).toBeGreaterThanOrEqual(1);
    expect(merged.count("e")).toBeGreaterThanOrEqual(1);
  });

  it("after merging, a value counted exactly on one shard and sketched on another counts both parts", () => {
    const left = counted(["a", "b", "x"], 2);
    const right = counted(["x", "x"], 2);
    const merged = BoundedCounter.merge(left, right);
    expect([merged.count("x"), merged.isExact("x"), merged.total]).toEqual([3, false, 5]);
  });

  it("refuses to merge counters of different sizes", () => {
    expect(() => BoundedCounter.merge(counted(["a"], 2), counted(["a"], 3))).toThrow(
      "cannot merge counters of different sizes",
    );
  });

  it("round-trips through JSON text, sketch included", () => {
    const counter = new BoundedCounter({ maxDistinct: 2, sketch: { width: 20, depth: 2 } });
    for (const v of ["a", "b", "c", "d", "d", "__proto__"]) counter.add(v);
    const loaded = BoundedCounter.fromJSON(JSON.parse(JSON.stringify(counter)));
    expect(loaded.toJSON()).toEqual(counter.toJSON());
    expect([loaded.count("d"), loaded.count("__proto__")]).toEqual([
      counter.count("d"),
      counter.count("__proto__"),
    ]);
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

    it("an unexpected __proto__ key, without polluting Object.prototype", () => {
      const json: unknown = JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(valid()).slice(1)}`);
      expect(() => BoundedCounter.fromJSON(json)).toThrow('counter: Unrecognized key: "__proto__"');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
