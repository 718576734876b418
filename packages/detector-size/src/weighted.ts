/**
 * Values in ascending order with their multiplicities: the exact distinct-value table, or a sketch's
 * bins. Every statistic of this package is computed from this one shape.
 */
export interface WeightedValues {
  values: readonly number[];
  /** `cumulative[i]` = how many values are ≤ `values[i]`. */
  cumulative: readonly number[];
  total: number;
}

/** Builds the table from `[value, count]` pairs in any order; equal values are combined. */
export function weightedValues(pairs: Iterable<readonly [number, number]>): WeightedValues {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  const values: number[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [value, count] of sorted) {
    if (count <= 0) continue;
    total += count;
    if (values.length > 0 && values[values.length - 1] === value) {
      cumulative[cumulative.length - 1] = total;
    } else {
      values.push(value);
      cumulative.push(total);
    }
  }
  return { values, cumulative, total };
}

/**
 * Mean and sample standard deviation (n − 1, as pandas' `std()`), summed in ascending value order so the
 * result depends only on the table, never on the order values arrived or shards merged.
 */
export function meanAndStd(w: WeightedValues): { mean: number; std: number } {
  if (w.total === 0) return { mean: 0, std: 0 };
  let sum = 0;
  let previous = 0;
  for (let i = 0; i < w.values.length; i++) {
    sum += w.values[i]! * (w.cumulative[i]! - previous);
    previous = w.cumulative[i]!;
  }
  const mean = sum / w.total;
  if (w.total < 2) return { mean, std: 0 };
  let squares = 0;
  previous = 0;
  for (let i = 0; i < w.values.length; i++) {
    squares += (w.cumulative[i]! - previous) * (w.values[i]! - mean) ** 2;
    previous = w.cumulative[i]!;
  }
  return { mean, std: Math.sqrt(squares / (w.total - 1)) };
}

/** First index whose cumulative count exceeds `rank` (a 0-based order statistic). */
function indexOfRank(w: WeightedValues, rank: number): number {
  let lo = 0;
  let hi = w.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w.cumulative[mid]! > rank) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The `i`-th smallest value, 0-based. */
export function orderStatistic(w: WeightedValues, i: number): number {
  return w.values[indexOfRank(w, i)]!;
}

/**
 * The `p`-quantile with linear interpolation between order statistics (Hyndman–Fan type 7, the
 * default of pandas, NumPy and R), so quartiles match what the lesson's notebook prints.
 */
export function quantile(w: WeightedValues, p: number): number {
  if (w.total === 0) return Number.NaN;
  const h = (w.total - 1) * p;
  const lower = Math.floor(h);
  const low = orderStatistic(w, lower);
  if (h === lower) return low;
  return low + (h - lower) * (orderStatistic(w, lower + 1) - low);
}

/** Median absolute deviation from `center` (unscaled; divide by 0.6745 to estimate σ under normality). */
export function medianAbsoluteDeviation(w: WeightedValues, center: number): number {
  const deviations: Array<[number, number]> = [];
  for (let i = 0; i < w.values.length; i++) {
    const count = w.cumulative[i]! - (i === 0 ? 0 : w.cumulative[i - 1]!);
    deviations.push([Math.abs(w.values[i]! - center), count]);
  }
  return quantile(weightedValues(deviations), 0.5);
}

/** How many values are ≥ x. */
export function countAtLeast(w: WeightedValues, x: number): number {
  let lo = 0;
  let hi = w.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w.values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return w.total - (lo === 0 ? 0 : w.cumulative[lo - 1]!);
}

/** How many values are ≤ x. */
export function countAtMost(w: WeightedValues, x: number): number {
  let lo = 0;
  let hi = w.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w.values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : w.cumulative[lo - 1]!;
}
