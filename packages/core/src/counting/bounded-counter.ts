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
import { CodePairTable } from "./code-pair-table.js";
import { HashHeap } from "./hash-heap.js";
import { hashABC, hashC } from "./hash.js";
import { pairKey } from "./pair-key.js";
import {
  COUNT_ERROR,
  POSITIVE_COUNT_ERROR,
  countSchema,
  invalidState,
  isCount,
  parseState,
} from "./state-schema.js";
import type { ValueCodes } from "./value-codes.js";

/** Most distinct values a counter may be configured to keep exactly. */
export const MAX_DISTINCT_LIMIT = 1_000_000;

/** How a {@link BoundedCounter} is sized. */
export interface BoundedCounterOptions {
  /** Most distinct values counted exactly; past it, values hashing high go to the sketch (see the class). */
  maxDistinct: number;
  /** Shape of the overflow sketch (defaults: 2719 × 5, ε = 0.1%, 99.3% confidence). */
  sketch?: Partial<SketchShape>;
  /**
   * The codes of the field this counter counts (a detector's `context.codes(field)`): `add` and `count`
   * then work by code, which is faster when several counters count the same field. Counts are the same
   * either way.
   */
  codes?: ValueCodes;
  /**
   * For a counter of {@link pairKey}s: the codes of the two fields, for `addPair` and `countPair`, which
   * then never build the key text for a pair they have met before.
   */
  pairCodes?: readonly [given: ValueCodes, target: ValueCodes];
}

/** What a counter counts by, besides values' text (see {@link BoundedCounterOptions}). */
export type Coding = Pick<BoundedCounterOptions, "codes" | "pairCodes">;

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

/** Pairs tallied by code before they are added to the counter; past this they are added and it empties. */
const PENDING_PAIRS = 1 << 16;
/** Pair counts remembered for scoring; past this the memory starts again. */
const REMEMBERED_PAIRS = 1 << 16;

/** `array`, or a copy at least twice as long when `index` is past its end (the new slots 0). */
function withRoom(array: Float64Array<ArrayBuffer>, index: number): Float64Array<ArrayBuffer> {
  if (index < array.length) return array;
  const grown = new Float64Array(Math.max(index + 1, array.length * 2));
  grown.set(array);
  return grown;
}

/**
 * Occurrences tallied by code and not yet added: adding to a typed array slot costs far less than a map
 * lookup, and since a counter's final state does not depend on the order of its additions, the tallies
 * can be added later, each distinct value once (`settle`).
 */
class Tally {
  counts = new Float64Array(64);
  /** Codes with a non-zero count, each once. */
  readonly codes: number[] = [];

  add(code: number, n: number): void {
    this.counts = withRoom(this.counts, code);
    if (this.counts[code] === 0) this.codes.push(code);
    this.counts[code]! += n;
  }
}

/** Counts already looked up, by code, for scoring: 0 = not known, otherwise count + 1. */
class Remembered {
  known = new Float64Array(64);
  readonly codes: number[] = [];

  get(code: number): number {
    return code < this.known.length ? this.known[code]! - 1 : -1;
  }

  set(code: number, count: number): void {
    this.known = withRoom(this.known, code);
    this.known[code] = count + 1;
    this.codes.push(code);
  }

  forget(): void {
    for (const code of this.codes) this.known[code] = 0;
    this.codes.length = 0;
  }
}

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
  // Scratch for hashABC: [hashA, hashB, hashC] of the value being looked up, filled and read within one
  // call. Each counter has its own, so no state is shared between counters or pipelines.
  private readonly hashes = new Uint32Array(3);
  private limit = NO_CEILING;
  /** Everything counted, exact and sketched. */
  total = 0;
  private readonly codes: ValueCodes | null;
  private readonly pairCodes: readonly [ValueCodes, ValueCodes] | null;
  // Built on first use: occurrences not yet added (by code, by pair of codes), and counts looked up.
  private tally: Tally | null = null;
  private pairTally: CodePairTable | null = null;
  private remembered: Remembered | null = null;
  private rememberedPairs: CodePairTable | null = null;

  constructor({ maxDistinct, sketch = {}, codes, pairCodes }: BoundedCounterOptions) {
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
    this.codes = codes ?? null;
    this.pairCodes = pairCodes ?? null;
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
    this.settle();
    return this.limit;
  }

  add(value: string, n = 1): void {
    this.total += n;
    this.forgetCounts();
    if (this.codes !== null) {
      const code = this.codes.code(value);
      if (code >= 0) {
        (this.tally ??= new Tally()).add(code, n);
        return;
      }
    }
    this.place(value, n);
  }

  /**
   * Adds one occurrence of the pair (`given`, `target`): the same as `add(pairKey(given, target))`, without
   * building the key for a pair of values that have codes.
   */
  addPair(given: string, target: string): void {
    const codes = this.pairCodes;
    if (codes !== null) {
      const a = codes[0].code(given);
      const b = codes[1].code(target);
      if (a >= 0 && b >= 0) {
        this.total += 1;
        this.forgetCounts();
        const tally = (this.pairTally ??= new CodePairTable(PENDING_PAIRS));
        if (!tally.add(a, b, 1)) {
          this.settle();
          tally.add(a, b, 1);
        }
        return;
      }
    }
    this.add(pairKey(given, target));
  }

  /** Adds what was tallied by code, each distinct value once. */
  private settle(): void {
    const tally = this.tally;
    if (tally !== null && tally.codes.length > 0) {
      const { counts, codes } = tally;
      for (const code of codes) {
        this.place(this.codes!.value(code), counts[code]!);
        counts[code] = 0;
      }
      codes.length = 0;
    }
    const pairs = this.pairTally;
    if (pairs !== null && pairs.size > 0) {
      const [given, target] = this.pairCodes!;
      pairs.forEach((a, b, n) => this.place(pairKey(given.value(a), target.value(b)), n));
      pairs.clear();
    }
  }

  private forgetCounts(): void {
    if (this.remembered !== null && this.remembered.codes.length > 0) this.remembered.forget();
    if (this.rememberedPairs !== null && this.rememberedPairs.size > 0) this.rememberedPairs.clear();
  }

  /** Adds `n` occurrences of `value` to the exact table or the sketch; `total` is the caller's. */
  private place(value: string, n: number): void {
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
    const hashes = this.hashes;
    hashABC(value, hashes);
    const hash = hashes[2]!;
    if (hash >= this.limit) {
      overflow.sketch.addHashed(hashes[0]!, hashes[1]!, n);
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
    this.settle();
    if (this.codes !== null) {
      const code = this.codes.code(value);
      if (code >= 0) {
        const remembered = (this.remembered ??= new Remembered());
        const known = remembered.get(code);
        if (known >= 0) return known;
        const count = this.lookUp(value);
        remembered.set(code, count);
        return count;
      }
    }
    return this.lookUp(value);
  }

  /** `count(pairKey(given, target))`, without building the key for a pair already looked up. */
  countPair(given: string, target: string): number {
    this.settle();
    const codes = this.pairCodes;
    if (codes !== null) {
      const a = codes[0].code(given);
      const b = codes[1].code(target);
      if (a >= 0 && b >= 0) {
        const remembered = (this.rememberedPairs ??= new CodePairTable(REMEMBERED_PAIRS));
        const known = remembered.get(a, b);
        if (known !== undefined) return known;
        const count = this.lookUp(pairKey(given, target));
        if (remembered.full) remembered.clear();
        remembered.add(a, b, count);
        return count;
      }
    }
    return this.lookUp(pairKey(given, target));
  }

  private lookUp(value: string): number {
    const count = this.exact.get(value);
    if (count !== undefined) return count;
    if (this.overflow === null) return 0;
    const hashes = this.hashes;
    hashABC(value, hashes);
    // Every value seen that hashes below the ceiling is held exactly, so this one was never seen.
    return hashes[2]! < this.limit ? 0 : this.overflow.sketch.estimateHashed(hashes[0]!, hashes[1]!);
  }

  /** True when {@link count} of `value` is exact (its hash is below the ceiling) rather than a sketch estimate. */
  isExact(value: string): boolean {
    this.settle();
    return this.overflow === null || this.exact.has(value) || hashC(value) < this.limit;
  }

  /** Distinct values counted exactly (all distinct values unless {@link overflowed}). */
  get distinct(): number {
    this.settle();
    return this.exact.size;
  }

  /** Counts held in the sketch: all occurrences of the values hashing at or above the ceiling. */
  get spilled(): number {
    this.settle();
    return this.overflow?.sketch.total ?? 0;
  }

  /** True once more than `maxDistinct` distinct values were seen, so some are sketched. */
  get overflowed(): boolean {
    this.settle();
    return this.overflow !== null;
  }

  /** How far above the truth an inexact count can be, with {@link confidence}; 0 when all is exact. */
  errorBound(): number {
    this.settle();
    return this.overflow?.sketch.errorBound() ?? 0;
  }

  /** Probability that an inexact count is within {@link errorBound}. */
  get confidence(): number {
    this.settle();
    return this.overflow?.sketch.confidence ?? 1;
  }

  /** The exactly counted values, in no particular order. */
  entries(): IterableIterator<[string, number]> {
    this.settle();
    return this.exact.entries();
  }

  /** The exactly counted values, most frequent first (ties by value). */
  sorted(): Array<[string, number]> {
    this.settle();
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
    a.settle();
    b.settle();
    const merged = new BoundedCounter({
      maxDistinct: a.maxDistinct,
      sketch: a.sketchShape,
      ...a.coding(),
    });
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
    this.settle();
    return {
      maxDistinct: this.maxDistinct,
      sketchShape: { ...this.sketchShape },
      total: this.total,
      ceiling: this.limit,
      values: this.sorted(),
      sketch: this.overflow?.sketch.toJSON() ?? null,
    };
  }

  private coding(): Coding {
    return {
      ...(this.codes === null ? {} : { codes: this.codes }),
      ...(this.pairCodes === null ? {} : { pairCodes: this.pairCodes }),
    };
  }

  /**
   * Reads what {@link toJSON} wrote; throws a `ModelError` naming `where` and the problem otherwise.
   * `coding` gives the loaded counter codes to count by, as in the constructor.
   */
  static fromJSON(json: unknown, where = "counter", coding: Coding = {}): BoundedCounter {
    const data = parseState(counterSchema, json, where);
    const counter = new BoundedCounter({
      maxDistinct: data.maxDistinct,
      sketch: data.sketchShape,
      ...coding,
    });
    if (data.values.length > data.maxDistinct) {
      invalidState(
        `${where}.values`,
        `holds ${data.values.length} values, more than maxDistinct ${data.maxDistinct}`,
      );
    }
    let sum = 0;
    valuesOf(data.values, where).forEach(([value, count], i) => {
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

/** `values` of a saved counter as `[value, count]` pairs; throws a `ModelError` at the first that is not. */
function valuesOf(values: readonly unknown[], where: string): Array<[string, number]> {
  for (let i = 0; i < values.length; i++) {
    const entry = values[i];
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") {
      invalidState(`${where}.values[${i}]`, "expected [value, count]: a string and a count");
    }
    const count: unknown = entry[1];
    if (!isCount(count)) invalidState(`${where}.values[${i}][1]`, COUNT_ERROR);
    if (count < 1) invalidState(`${where}.values[${i}][1]`, POSITIVE_COUNT_ERROR);
  }
  return values as Array<[string, number]>;
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
  // Checked by `valuesOf`: tens of thousands of entries per counter, read at every model load and
  // every worker hand-over, cost ten times more through a schema.
  values: z.array(z.unknown()).max(MAX_DISTINCT_LIMIT),
  sketch: z.unknown(),
});
