import { z } from "zod";
import {
  CountMinSketch,
  DEFAULT_SKETCH_DEPTH,
  DEFAULT_SKETCH_WIDTH,
  checkSketchShape,
  sketchShapeSchema,
  type CountMinJSON,
  type SketchShape,
} from "./count-min.js";
import { countSchema, invalidState, parseState, positiveCountSchema } from "./state-schema.js";

/** Most distinct values a counter may be configured to keep exactly. */
export const MAX_DISTINCT_LIMIT = 1_000_000;

/** How a {@link BoundedCounter} is sized. */
export interface BoundedCounterOptions {
  /** Distinct values counted exactly; values first seen after that go to the sketch. */
  maxDistinct: number;
  /** Shape of the overflow sketch (defaults: 2719 × 5, ε = 0.1%, 99.3% confidence). */
  sketch?: Partial<SketchShape>;
}

/** The saved form of a {@link BoundedCounter}. `values` is sorted by count, most frequent first. */
export interface BoundedCounterJSON {
  maxDistinct: number;
  sketchShape: SketchShape;
  total: number;
  values: Array<[string, number]>;
  sketch: CountMinJSON | null;
  /** True when some exactly counted values may also have counts in the sketch (after merging shards). */
  mixed: boolean;
}

/** Most frequent first, then by value in code-unit order, so output never depends on insertion order. */
export function compareCounts(a: readonly [string, number], b: readonly [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/**
 * Counts string values in bounded memory: the first `maxDistinct` distinct values exactly (a `Map`, so
 * `__proto__` is a value like any other), every later newcomer in a count-min sketch. Counts are exact
 * until the cap is reached; after it, counts of sketched values are upper estimates whose error is
 * bounded by {@link errorBound}. Counters with the same options merge; the merge is exact while the
 * union stays under the cap.
 */
export class BoundedCounter {
  readonly maxDistinct: number;
  readonly sketchShape: SketchShape;
  private readonly exact = new Map<string, number>();
  private sketch: CountMinSketch | null = null;
  private mixed = false;
  /** Everything counted, exact and sketched. */
  total = 0;

  constructor({ maxDistinct, sketch = {} }: BoundedCounterOptions) {
    if (!Number.isInteger(maxDistinct) || maxDistinct < 1 || maxDistinct > MAX_DISTINCT_LIMIT) {
      throw new RangeError(
        `maxDistinct must be a whole number from 1 to ${MAX_DISTINCT_LIMIT}, got ${maxDistinct}`,
      );
    }
    this.maxDistinct = maxDistinct;
    this.sketchShape = {
      width: sketch.width ?? DEFAULT_SKETCH_WIDTH,
      depth: sketch.depth ?? DEFAULT_SKETCH_DEPTH,
    };
    checkSketchShape(this.sketchShape);
  }

  add(value: string, n = 1): void {
    this.total += n;
    const count = this.exact.get(value);
    if (count !== undefined) this.exact.set(value, count + n);
    else if (this.exact.size < this.maxDistinct) this.exact.set(value, n);
    else (this.sketch ??= new CountMinSketch(this.sketchShape)).add(value, n);
  }

  /** The count of `value`: exact when {@link isExact}, otherwise an upper estimate. 0 = never counted. */
  count(value: string): number {
    const count = this.exact.get(value);
    if (count === undefined) return this.sketch === null ? 0 : this.sketch.estimate(value);
    return this.mixed && this.sketch !== null ? count + this.sketch.estimate(value) : count;
  }

  /** True when {@link count} of `value` is exact rather than a sketch estimate. */
  isExact(value: string): boolean {
    if (this.sketch === null) return true;
    return !this.mixed && this.exact.has(value);
  }

  /** Distinct values counted exactly (all distinct values unless {@link overflowed}). */
  get distinct(): number {
    return this.exact.size;
  }

  /** Counts that went to the sketch because the cap was reached. */
  get spilled(): number {
    return this.sketch?.total ?? 0;
  }

  /** True once some value had to be sketched. */
  get overflowed(): boolean {
    return this.sketch !== null;
  }

  /** How far above the truth an inexact count can be, with {@link confidence}; 0 when all is exact. */
  errorBound(): number {
    return this.sketch?.errorBound() ?? 0;
  }

  /** Probability that an inexact count is within {@link errorBound}. */
  get confidence(): number {
    return this.sketch?.confidence ?? 1;
  }

  /** The exactly counted values, in no particular order. */
  entries(): IterableIterator<[string, number]> {
    return this.exact.entries();
  }

  /** The exactly counted values, most frequent first (ties by value). */
  sorted(): Array<[string, number]> {
    return [...this.exact].sort(compareCounts);
  }

  /** A new counter holding the counts of both; they must have the same options. */
  static merge(a: BoundedCounter, b: BoundedCounter): BoundedCounter {
    if (
      a.maxDistinct !== b.maxDistinct ||
      a.sketchShape.width !== b.sketchShape.width ||
      a.sketchShape.depth !== b.sketchShape.depth
    ) {
      throw new RangeError("cannot merge counters of different sizes (maxDistinct or sketch shape differ)");
    }
    const merged = new BoundedCounter({ maxDistinct: a.maxDistinct, sketch: a.sketchShape });
    const union = new Map(a.exact);
    for (const [value, count] of b.exact) union.set(value, (union.get(value) ?? 0) + count);
    if (a.sketch !== null && b.sketch !== null) merged.sketch = CountMinSketch.merge(a.sketch, b.sketch);
    else merged.sketch = (a.sketch ?? b.sketch)?.clone() ?? null;
    let kept: Iterable<[string, number]> = union;
    if (union.size > a.maxDistinct) {
      // Keep the most frequent values exact: they are the ones whose counts matter most for probabilities.
      const ranked = [...union].sort(compareCounts);
      kept = ranked.slice(0, a.maxDistinct);
      merged.sketch ??= new CountMinSketch(a.sketchShape);
      for (const [value, count] of ranked.slice(a.maxDistinct)) merged.sketch.add(value, count);
    }
    let mixed = a.mixed || b.mixed;
    for (const [value, count] of kept) {
      merged.exact.set(value, count);
      // A value one side never counted exactly may sit in that side's sketch: its count is now split.
      if ((a.sketch !== null && !a.exact.has(value)) || (b.sketch !== null && !b.exact.has(value)))
        mixed = true;
    }
    merged.mixed = mixed && merged.sketch !== null;
    merged.total = a.total + b.total;
    return merged;
  }

  toJSON(): BoundedCounterJSON {
    return {
      maxDistinct: this.maxDistinct,
      sketchShape: { ...this.sketchShape },
      total: this.total,
      values: this.sorted(),
      sketch: this.sketch?.toJSON() ?? null,
      mixed: this.mixed,
    };
  }

  /** Reads what {@link toJSON} wrote; throws a `ModelError` naming `where` and the problem otherwise. */
  static fromJSON(json: unknown, where = "counter"): BoundedCounter {
    const data = parseState(counterSchema, json, where);
    const counter = new BoundedCounter({ maxDistinct: data.maxDistinct, sketch: data.sketchShape });
    if (data.values.length > data.maxDistinct) {
      invalidState(
        `${where}.values`,
        `holds ${data.values.length} values, more than maxDistinct ${data.maxDistinct}`,
      );
    }
    let sum = 0;
    data.values.forEach(([value, count], i) => {
      if (counter.exact.has(value))
        invalidState(`${where}.values[${i}]`, `${JSON.stringify(value)} is listed twice`);
      counter.exact.set(value, count);
      sum += count;
    });
    if (data.sketch !== null && data.sketch !== undefined) {
      const sketch = CountMinSketch.fromJSON(data.sketch, `${where}.sketch`);
      if (sketch.width !== data.sketchShape.width || sketch.depth !== data.sketchShape.depth) {
        invalidState(`${where}.sketch`, "its shape differs from sketchShape");
      }
      counter.sketch = sketch;
      sum += sketch.total;
    }
    if (sum !== data.total)
      invalidState(`${where}.total`, `is ${data.total} but the counts add up to ${sum}`);
    counter.total = data.total;
    counter.mixed = data.mixed && counter.sketch !== null;
    return counter;
  }
}

const counterSchema = z.strictObject({
  maxDistinct: z
    .number()
    .int()
    .min(1)
    .max(MAX_DISTINCT_LIMIT, { error: `expected at most ${MAX_DISTINCT_LIMIT} distinct values` }),
  sketchShape: sketchShapeSchema,
  total: countSchema,
  values: z.array(z.tuple([z.string(), positiveCountSchema])).max(MAX_DISTINCT_LIMIT),
  sketch: z.unknown(),
  mixed: z.boolean(),
});
