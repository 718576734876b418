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
import { quoteValue } from "../format.js";
import { HashHeap } from "./hash-heap.js";
import { hashABC, hashC } from "./hash.js";
import { countSchema, invalidState, parseState, positiveCountSchema } from "./state-schema.js";

/** Most distinct values a counter may be configured to keep exactly. */
export const MAX_DISTINCT_LIMIT = 1_000_000;

/** How a {@link BoundedCounter} is sized. */
export interface BoundedCounterOptions {
  /** Most distinct values counted exactly; past it, values hashing high go to the sketch (see the class). */
  maxDistinct: number;
  /** Shape of the overflow sketch (defaults: 2719 × 5, ε = 0.1%, 99.3% confidence). */
  sketch?: Partial<SketchShape>;
}

/** The saved form of a {@link BoundedCounter}. `values` is sorted by count, most frequent first. */
export interface BoundedCounterJSON {
  maxDistinct: number;
  sketchShape: SketchShape;
  total: number;
  /** Values whose selection hash is below it are the exact ones; 2^32 until the counter overflowed. */
  ceiling: number;
  values: Array<[string, number]>;
  /** Counts of every value at or above the ceiling; null until the counter overflowed. */
  sketch: CountMinJSON | null;
}

/** The ceiling of a counter that never overflowed: every 32-bit selection hash is below it. */
const NO_CEILING = 2 ** 32;

/** Most frequent first, then by value in code-unit order, so output never depends on insertion order. */
export function compareCounts(a: readonly [string, number], b: readonly [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** What a counter keeps once it overflowed. */
interface Overflow {
  /** The exact values by selection hash, to find the next to evict. */
  heap: HashHeap;
  /** Counts of every value hashing at or above the ceiling. */
  sketch: CountMinSketch;
}

// Scratch for hashABC: [hashA, hashB, hashC] of the value being looked up. One per module is enough, as
// counting is synchronous and each worker thread has its own module instance.
const HASHES = new Uint32Array(3);

function heapOf(exact: Map<string, number>): HashHeap {
  return HashHeap.from(Array.from(exact.keys(), (value) => [hashC(value), value] as const));
}

/**
 * Counts string values in bounded memory: at most `maxDistinct` distinct values exactly (a `Map`, so
 * `__proto__` is a value like any other), every other value in a count-min sketch.
 *
 * Which values are exact is chosen by a hash, not by arrival: a value is exact iff its selection hash
 * ({@link BoundedCounter.selectionHash}) is below the counter's {@link ceiling}, from its first
 * occurrence on; otherwise all its occurrences go to the sketch. The ceiling starts above every hash and,
 * whenever the exact values would outnumber `maxDistinct`, drops to the largest hash among them, moving
 * every value at or above it (ties included) into the sketch. So the exact values are the `maxDistinct`
 * smallest hashes among all distinct values seen (a bottom-k sample, fewer on hash ties), whatever the
 * order or sharding: counters over shards merge into exactly the counter over the whole (byte-identical
 * {@link toJSON}). No value is ever split between the two parts: a count is exact, or a count-min upper
 * estimate whose error is bounded by {@link errorBound}; which values end up sketched does not depend on
 * their frequency, so a frequent value may be estimated and a rare one exact.
 */
export class BoundedCounter {
  /** The {@link ceiling} of a counter that never overflowed: 2^32, above every selection hash. */
  static readonly NO_CEILING = NO_CEILING;

  readonly maxDistinct: number;
  readonly sketchShape: SketchShape;
  private readonly exact = new Map<string, number>();
  // Built at the first overflow only: counters that stay under the cap never hash anything.
  private overflow: Overflow | null = null;
  private limit = NO_CEILING;
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

  /**
   * The hash that decides which values are exact: those below the {@link ceiling}. A 32-bit integer,
   * stable across platforms and versions (saved counters depend on it).
   */
  static selectionHash(value: string): number {
    return hashC(value);
  }

  /** Values whose {@link selectionHash} is below it are counted exactly; {@link NO_CEILING} until overflow. */
  get ceiling(): number {
    return this.limit;
  }

  add(value: string, n = 1): void {
    this.total += n;
    const count = this.exact.get(value);
    if (count !== undefined) {
      this.exact.set(value, count + n);
      return;
    }
    const overflow = this.overflow;
    if (overflow === null) {
      this.exact.set(value, n);
      if (this.exact.size > this.maxDistinct) this.shrink(this.startOverflow(null));
      return;
    }
    hashABC(value, HASHES);
    const hash = HASHES[2]!;
    if (hash >= this.limit) {
      overflow.sketch.addHashed(HASHES[0]!, HASHES[1]!, n);
      return;
    }
    this.exact.set(value, n);
    overflow.heap.push(hash, value);
    if (this.exact.size > this.maxDistinct) this.shrink(overflow);
  }

  private startOverflow(sketch: CountMinSketch | null): Overflow {
    this.overflow = { heap: heapOf(this.exact), sketch: sketch ?? new CountMinSketch(this.sketchShape) };
    return this.overflow;
  }

  /** Lowers the ceiling until the exact values fit under the cap, moving evicted counts into the sketch. */
  private shrink({ heap, sketch }: Overflow): void {
    while (this.exact.size > this.maxDistinct) {
      const ceiling = heap.peek()!;
      this.limit = ceiling;
      while (heap.size > 0 && heap.peek()! >= ceiling) {
        const value = heap.pop()!;
        const count = this.exact.get(value)!;
        sketch.add(value, count);
        this.exact.delete(value);
      }
    }
  }

  /** The count of `value`: exact when {@link isExact}, otherwise an upper estimate. 0 = never counted. */
  count(value: string): number {
    const count = this.exact.get(value);
    if (count !== undefined) return count;
    if (this.overflow === null) return 0;
    hashABC(value, HASHES);
    // Every value seen that hashes below the ceiling is held exactly, so this one was never seen.
    return HASHES[2]! < this.limit ? 0 : this.overflow.sketch.estimateHashed(HASHES[0]!, HASHES[1]!);
  }

  /** True when {@link count} of `value` is exact (its hash is below the ceiling) rather than a sketch estimate. */
  isExact(value: string): boolean {
    return this.overflow === null || this.exact.has(value) || hashC(value) < this.limit;
  }

  /** Distinct values counted exactly (all distinct values unless {@link overflowed}). */
  get distinct(): number {
    return this.exact.size;
  }

  /** Counts held in the sketch: all occurrences of the values hashing at or above the ceiling. */
  get spilled(): number {
    return this.overflow?.sketch.total ?? 0;
  }

  /** True once more than `maxDistinct` distinct values were seen, so some are sketched. */
  get overflowed(): boolean {
    return this.overflow !== null;
  }

  /** How far above the truth an inexact count can be, with {@link confidence}; 0 when all is exact. */
  errorBound(): number {
    return this.overflow?.sketch.errorBound() ?? 0;
  }

  /** Probability that an inexact count is within {@link errorBound}. */
  get confidence(): number {
    return this.overflow?.sketch.confidence ?? 1;
  }

  /** The exactly counted values, in no particular order. */
  entries(): IterableIterator<[string, number]> {
    return this.exact.entries();
  }

  /** The exactly counted values, most frequent first (ties by value). */
  sorted(): Array<[string, number]> {
    return [...this.exact].sort(compareCounts);
  }

  /**
   * A new counter holding the counts of both; they must have the same options. Equal to counting both
   * inputs in one counter, in any order: the lower ceiling applies to both sides, then the cap as usual.
   */
  static merge(a: BoundedCounter, b: BoundedCounter): BoundedCounter {
    if (
      a.maxDistinct !== b.maxDistinct ||
      a.sketchShape.width !== b.sketchShape.width ||
      a.sketchShape.depth !== b.sketchShape.depth
    ) {
      throw new RangeError("cannot merge counters of different sizes (maxDistinct or sketch shape differ)");
    }
    const merged = new BoundedCounter({ maxDistinct: a.maxDistinct, sketch: a.sketchShape });
    const ceiling = Math.min(a.limit, b.limit);
    const sketches = [a.overflow?.sketch, b.overflow?.sketch].filter((s) => s !== undefined);
    const sketch =
      sketches.length === 2
        ? CountMinSketch.merge(sketches[0]!, sketches[1]!)
        : (sketches[0]?.clone() ?? null);
    for (const side of [a, b]) {
      for (const [value, count] of side.exact) {
        if (sketch !== null && ceiling < side.limit && hashC(value) >= ceiling) sketch.add(value, count);
        else merged.exact.set(value, (merged.exact.get(value) ?? 0) + count);
      }
    }
    merged.total = a.total + b.total;
    merged.limit = ceiling;
    if (sketch !== null || merged.exact.size > merged.maxDistinct)
      merged.shrink(merged.startOverflow(sketch));
    return merged;
  }

  toJSON(): BoundedCounterJSON {
    return {
      maxDistinct: this.maxDistinct,
      sketchShape: { ...this.sketchShape },
      total: this.total,
      ceiling: this.limit,
      values: this.sorted(),
      sketch: this.overflow?.sketch.toJSON() ?? null,
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
        invalidState(`${where}.values[${i}]`, `${quoteValue(value)} is listed twice`);
      if (data.ceiling < NO_CEILING && hashC(value) >= data.ceiling) {
        invalidState(
          `${where}.values[${i}]`,
          `${quoteValue(value)} hashes to ${hashC(value)}, not below the ceiling ${data.ceiling}, so its count belongs in the sketch`,
        );
      }
      counter.exact.set(value, count);
      sum += count;
    });
    const overflowed = data.ceiling < NO_CEILING;
    if (data.sketch === null || data.sketch === undefined) {
      if (overflowed) invalidState(`${where}.sketch`, `is missing but the ceiling is below 2^32`);
    } else {
      if (!overflowed) invalidState(`${where}.sketch`, "is present but the ceiling is 2^32 (no overflow)");
      const sketch = CountMinSketch.fromJSON(data.sketch, `${where}.sketch`);
      if (sketch.width !== data.sketchShape.width || sketch.depth !== data.sketchShape.depth) {
        invalidState(`${where}.sketch`, "its shape differs from sketchShape");
      }
      counter.startOverflow(sketch);
      sum += sketch.total;
    }
    if (sum !== data.total)
      invalidState(`${where}.total`, `is ${data.total} but the counts add up to ${sum}`);
    counter.total = data.total;
    counter.limit = data.ceiling;
    return counter;
  }
}

const CEILING_ERROR = "expected a ceiling: a whole number from 0 to 2^32";

const counterSchema = z.strictObject({
  maxDistinct: z
    .number()
    .int()
    .min(1)
    .max(MAX_DISTINCT_LIMIT, { error: `expected at most ${MAX_DISTINCT_LIMIT} distinct values` }),
  sketchShape: sketchShapeSchema,
  total: countSchema,
  ceiling: z
    .number({ error: CEILING_ERROR })
    .int({ error: CEILING_ERROR })
    .min(0, { error: CEILING_ERROR })
    .max(NO_CEILING, { error: CEILING_ERROR }),
  values: z.array(z.tuple([z.string(), positiveCountSchema])).max(MAX_DISTINCT_LIMIT),
  sketch: z.unknown(),
});
