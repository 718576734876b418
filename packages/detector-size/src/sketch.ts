import { DDSketch } from "@datadog/sketches-js";

type DenseStore = DDSketch["store"];

/** A DDSketch's content as sorted `[key, count]` bins: what is saved, merged and compared. */
export interface SketchBins {
  relativeAccuracy: number;
  /** Count of values the sketch maps to zero (|x| below its smallest distinguishable value). */
  zero: number;
  /** Bins of positive values, ascending key. */
  positive: Array<[key: number, count: number]>;
  /** Bins of negative values by the key of |x|, ascending key. */
  negative: Array<[key: number, count: number]>;
}

/** An empty sketch whose quantiles are within `relativeAccuracy` of the true values. */
export function createSketch(relativeAccuracy: number): DDSketch {
  return new DDSketch({ relativeAccuracy });
}

function storeBins(store: DenseStore): Array<[number, number]> {
  const bins: Array<[number, number]> = [];
  if (store.count === 0) return bins;
  for (let key = store.minKey; key <= store.maxKey; key++) {
    const count = store.bins[key - store.offset] ?? 0;
    if (count > 0) bins.push([key, count]);
  }
  return bins;
}

/** The sketch's non-empty bins; independent of insertion order, so equal data gives equal bins. */
export function sketchBins(sketch: DDSketch): SketchBins {
  return {
    relativeAccuracy: sketch.mapping.relativeAccuracy,
    zero: sketch.zeroCount,
    positive: storeBins(sketch.store),
    negative: storeBins(sketch.negativeStore),
  };
}

/**
 * Adds bins to a sketch. Merging goes through `store.add` rather than `DDSketch.merge`, which in
 * sketches-js 2.1.1 drops the negative store (DataDog/sketches-js#22) and mis-sizes a store whose
 * largest key is 0; per-bin adds are exact because counts are integers.
 */
export function addBins(sketch: DDSketch, bins: SketchBins): void {
  for (const [key, count] of bins.positive) sketch.store.add(key, count);
  for (const [key, count] of bins.negative) sketch.negativeStore.add(key, count);
  sketch.zeroCount += bins.zero;
  sketch.count += bins.zero + sumCounts(bins.positive) + sumCounts(bins.negative);
}

function sumCounts(bins: ReadonlyArray<readonly [number, number]>): number {
  let total = 0;
  for (const [, count] of bins) total += count;
  return total;
}

/** The value a bin stands for (within the relative accuracy of every value in it). */
export function binValue(sketch: DDSketch, key: number, negative: boolean): number {
  const value = sketch.mapping.value(key);
  return negative ? -value : value;
}

/** Where a value lands: its sign and key; `null` key for the zero bin. */
export function binOf(sketch: DDSketch, value: number): { negative: boolean; key: number | null } {
  const { minPossible } = sketch.mapping;
  if (value > minPossible) return { negative: false, key: sketch.mapping.key(value) };
  if (value < -minPossible) return { negative: true, key: sketch.mapping.key(-value) };
  return { negative: false, key: null };
}

/** The range of keys a sketch with this accuracy can produce; saved bins outside it are forged. */
export function keyRange(relativeAccuracy: number): { min: number; max: number } {
  const sketch = createSketch(relativeAccuracy);
  return {
    min: sketch.mapping.key(sketch.mapping.minPossible),
    max: sketch.mapping.key(sketch.mapping.maxPossible),
  };
}
