import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ModelError } from "../errors.js";
import { CountMinSketch } from "./count-min.js";

// A Zipf-like stream: value i occurs ⌈1000 / (i + 1)⌉ times, the shape of paths and user agents.
function zipf(distinct: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < distinct; i++) counts.set(`/item/${i}`, Math.ceil(1000 / (i + 1)));
  return counts;
}

describe("CountMinSketch", () => {
  it("never underestimates, and overestimates by more than ε·total for at most 1 − confidence of the values", () => {
    const truth = zipf(5000);
    const sketch = new CountMinSketch({ width: 272, depth: 5 });
    for (const [value, count] of truth) sketch.add(value, count);
    let under = 0;
    let beyond = 0;
    for (const [value, count] of truth) {
      const estimate = sketch.estimate(value);
      if (estimate < count) under++;
      if (estimate - count > sketch.errorBound()) beyond++;
    }
    expect(under).toBe(0);
    expect(beyond / truth.size).toBeLessThanOrEqual(1 - sketch.confidence);
  });

  it("states its bound: ε = e / width, confidence = 1 − e^−depth, bound = ⌈ε · total⌉", () => {
    const sketch = new CountMinSketch({ width: 2719, depth: 5 });
    sketch.add("a", 12_345);
    expect(sketch.epsilon).toBe(Math.E / 2719);
    expect(sketch.confidence).toBe(1 - Math.exp(-5));
    expect(sketch.errorBound()).toBe(Math.ceil((Math.E / 2719) * 12_345));
  });

  it("estimates 0 for a key it never saw when nothing collides with it", () => {
    const sketch = new CountMinSketch();
    sketch.add("GET", 3);
    sketch.add("POST");
    expect([sketch.estimate("GET"), sketch.estimate("POST"), sketch.estimate("PUT")]).toEqual([3, 1, 0]);
  });

  it("merging sketches of two shards gives exactly the sketch of the whole stream", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 60 }), fc.nat(), (values, cut) => {
        const at = values.length === 0 ? 0 : cut % values.length;
        const whole = new CountMinSketch({ width: 31, depth: 3 });
        const left = new CountMinSketch({ width: 31, depth: 3 });
        const right = new CountMinSketch({ width: 31, depth: 3 });
        values.forEach((v, i) => {
          whole.add(v);
          (i < at ? left : right).add(v);
        });
        expect(CountMinSketch.merge(left, right).toJSON()).toEqual(whole.toJSON());
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("refuses to merge sketches of different shapes", () => {
    expect(() =>
      CountMinSketch.merge(new CountMinSketch({ width: 10 }), new CountMinSketch({ width: 11 })),
    ).toThrow("cannot merge a 10×5 sketch with a 11×5 one");
  });

  it("round-trips through JSON text with the same estimates", () => {
    const sketch = new CountMinSketch({ width: 50, depth: 4 });
    for (const [value, count] of zipf(300)) sketch.add(value, count);
    const loaded = CountMinSketch.fromJSON(JSON.parse(JSON.stringify(sketch)));
    expect(loaded.toJSON()).toEqual(sketch.toJSON());
    expect(loaded.estimate("/item/7")).toBe(sketch.estimate("/item/7"));
  });

  describe("rejects a crafted or corrupted sketch", () => {
    const valid = (): {
      width: number;
      depth: number;
      total: number;
      rows: Array<Array<[number, number]>>;
    } => {
      const sketch = new CountMinSketch({ width: 8, depth: 2 });
      sketch.add("a", 2);
      sketch.add("b", 1);
      return sketch.toJSON();
    };

    it.each([
      [
        "a negative count",
        (j: ReturnType<typeof valid>) => (j.rows[0]![0]![1] = -1),
        "sketch.rows[0][0][1]: expected a count",
      ],
      [
        "a fractional count",
        (j: ReturnType<typeof valid>) => (j.rows[0]![0]![1] = 1.5),
        "sketch.rows[0][0][1]: expected a count",
      ],
      [
        "a total beyond 2^53",
        (j: ReturnType<typeof valid>) => (j.total = 2 ** 60),
        "sketch.total: expected a count",
      ],
      [
        "a row that does not add up",
        (j: ReturnType<typeof valid>) => (j.rows[1]![0]![1] += 1),
        "sketch.rows[1]: cells sum to 4",
      ],
      [
        "a column past the width",
        (j: ReturnType<typeof valid>) => (j.rows[0]![0]![0] = 8),
        "sketch.rows[0]: columns must be increasing",
      ],
      [
        "a zero count",
        (j: ReturnType<typeof valid>) => (j.rows[0]![0]![1] = 0),
        "sketch.rows[0][0][1]: expected a count of at least 1",
      ],
      [
        "a negative column",
        (j: ReturnType<typeof valid>) => (j.rows[0]![0]![0] = -1),
        "sketch.rows[0][0][0]: expected a column",
      ],
      [
        "a cell that is not a pair",
        (j: ReturnType<typeof valid>) => ((j.rows[1] as unknown[])[0] = [3]),
        "sketch.rows[1][0]: expected [column, count]",
      ],
      [
        "a missing row",
        (j: ReturnType<typeof valid>) => j.rows.pop(),
        "sketch.rows: expected 2 rows, found 1",
      ],
      [
        "a huge width",
        (j: ReturnType<typeof valid>) => (j.width = 1e9),
        "sketch.width: expected a width from 1 to 1048576",
      ],
    ])("%s", (_name, corrupt, message) => {
      const json = valid();
      corrupt(json);
      expect(() => CountMinSketch.fromJSON(json)).toThrow(ModelError);
      expect(() => CountMinSketch.fromJSON(json)).toThrow(message);
    });

    it("an unexpected __proto__ key", () => {
      const json: unknown = JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(valid()).slice(1)}`);
      expect(() => CountMinSketch.fromJSON(json)).toThrow(ModelError);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
