import type { DDSketch } from "@datadog/sketches-js";
import { addBins, binOf, binValue, createSketch, sketchBins } from "./sketch.js";
import { weightedValues, type WeightedValues } from "./weighted.js";

/**
 * What one group (or all records) taught about a numeric field: the exact count of every distinct value
 * while there are at most `exactLimit` of them, a DDSketch after that. Both forms merge by adding counts,
 * so a merged fit equals a whole fit bit for bit. Mean and standard deviation are derived from the table
 * when needed, not kept as running floating-point moments, whose rounding would depend on merge order.
 */
export interface Distribution {
  count: number;
  min: number;
  max: number;
  /** Distinct value → count; null once sketched. */
  exact: Map<number, number> | null;
  sketch: DDSketch | null;
}

/** Where a distribution switches from exact counts to a sketch, and how precise the sketch is. */
export interface DistributionLimits {
  exactLimit: number;
  relativeAccuracy: number;
}

export function emptyDistribution(): Distribution {
  return {
    count: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    exact: new Map(),
    sketch: null,
  };
}

function toSketch(exact: ReadonlyMap<number, number>, relativeAccuracy: number): DDSketch {
  const sketch = createSketch(relativeAccuracy);
  for (const [value, count] of exact) sketch.accept(value, count);
  return sketch;
}

/** Learns `n` occurrences of one value (one by default). */
export function addValue(d: Distribution, value: number, limits: DistributionLimits, n = 1): void {
  d.count += n;
  if (value < d.min) d.min = value;
  if (value > d.max) d.max = value;
  if (d.exact !== null) {
    d.exact.set(value, (d.exact.get(value) ?? 0) + n);
    if (d.exact.size > limits.exactLimit) {
      d.sketch = toSketch(d.exact, limits.relativeAccuracy);
      d.exact = null;
    }
  } else {
    d.sketch!.accept(value, n);
  }
}

/** A new distribution holding both; neither argument is changed. */
export function mergeDistributions(
  a: Distribution,
  b: Distribution,
  limits: DistributionLimits,
): Distribution {
  const merged: Distribution = {
    count: a.count + b.count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    exact: null,
    sketch: null,
  };
  if (a.exact !== null && b.exact !== null) {
    const exact = new Map(a.exact);
    for (const [value, n] of b.exact) exact.set(value, (exact.get(value) ?? 0) + n);
    if (exact.size <= limits.exactLimit) {
      merged.exact = exact;
      return merged;
    }
    merged.sketch = toSketch(exact, limits.relativeAccuracy);
    return merged;
  }
  const sketch = createSketch(limits.relativeAccuracy);
  for (const part of [a, b]) {
    if (part.exact !== null) for (const [value, n] of part.exact) sketch.accept(value, n);
    else addBins(sketch, sketchBins(part.sketch!));
  }
  merged.sketch = sketch;
  return merged;
}

/** The distribution as sorted values with counts: exact values, or the values the sketch's bins stand for. */
export function tableOf(d: Distribution): WeightedValues {
  if (d.exact !== null) return weightedValues(d.exact);
  const sketch = d.sketch!;
  const bins = sketchBins(sketch);
  const pairs: Array<[number, number]> = [];
  for (const [key, n] of bins.negative) pairs.push([binValue(sketch, key, true), n]);
  if (bins.zero > 0) pairs.push([0, bins.zero]);
  for (const [key, n] of bins.positive) pairs.push([binValue(sketch, key, false), n]);
  return weightedValues(pairs);
}

/**
 * The value to compare with `tableOf(d)` when counting a tail: `x` itself when exact, else the value of
 * x's bin, so every value sharing x's bin counts as reaching it (the tail is over-, never under-counted).
 */
export function tableValue(d: Distribution, x: number): number {
  if (d.exact !== null) return x;
  const sketch = d.sketch!;
  const { key, negative } = binOf(sketch, x);
  return key === null ? 0 : binValue(sketch, key, negative);
}
