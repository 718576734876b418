import { tableOf, type Distribution } from "./distribution.js";
import type { ResolvedOptions } from "./options.js";
import { meanAndStd, medianAbsoluteDeviation, quantile, type WeightedValues } from "./weighted.js";

/** Tukey's k for log-scale fallback fences when the group method is not IQR. */
export const DEFAULT_LOG_K = 1.5;

/** Scales the MAD to σ of a normal distribution (Φ⁻¹(0.75)), per Iglewicz and Hoaglin. */
export const MAD_SCALE = 0.6745;

/** Summary statistics of one distribution and the fences a value must cross to be flagged. */
export interface Profile {
  count: number;
  min: number;
  max: number;
  q1: number;
  median: number;
  q3: number;
  iqr: number;
  /** Unscaled median absolute deviation. */
  mad: number;
  mean: number;
  /** Sample standard deviation. */
  std: number;
  /** Values below are flagged; null when the low side is not tested. */
  lowerFence: number | null;
  /** Values above are flagged; null when the high side is not tested. */
  upperFence: number | null;
  /**
   * The sides this distribution is tested on: with `side: "auto"`, the upper side always and the lower
   * side too when the distribution is a group of its own and stable (its middle half within `minRatio`).
   */
  sides: "upper" | "lower" | "both";
  /** 0 when quantiles are exact, else the sketch's relative accuracy. */
  relativeError: number;
  /** Sorted values with counts, for tail probabilities. */
  table: WeightedValues;
}

type FenceOptions = Pick<ResolvedOptions, "method" | "cutoff" | "side" | "minRelativeDeviation" | "minRatio">;
type Sides = Profile["sides"];
type Quartiles = Pick<Profile, "q1" | "median" | "q3">;

/**
 * Which sides a distribution is tested on. `auto` tests the lower side only on a group of its own whose
 * middle half lies within a factor `minRatio` (Q1 > 0 and Q3 ≤ minRatio × Q1): there a response many times
 * smaller than usual is a truncation or an error in place of data. A mixture (the fallback of all
 * records) or a group that is often empty or small has no "too small".
 */
export function sidesFor(
  stats: Quartiles,
  options: Pick<FenceOptions, "side" | "minRatio">,
  own: boolean,
): Sides {
  if (options.side !== "auto") return options.side;
  const stable = own && stats.q1 > 0 && stats.q3 <= options.minRatio * stats.q1;
  return stable ? "both" : "upper";
}

/**
 * Pushes fences out to the magnitude floors: at least `minRelativeDeviation` × |median| from the median,
 * and, for non-negative values, at least a factor `minRatio` beyond the quartiles (above minRatio × Q3,
 * below Q1 / minRatio). The statistical fences of a tight group sit a few percent from its median, so
 * without the ratio its natural variation would be flagged by rank alone.
 */
function applyFloors(
  fences: { lower: number; upper: number },
  stats: Quartiles,
  options: Pick<FenceOptions, "minRelativeDeviation" | "minRatio">,
  nonNegative: boolean,
  sides: Sides,
): { lowerFence: number | null; upperFence: number | null } {
  const floor = options.minRelativeDeviation * Math.abs(stats.median);
  let lower = Math.min(fences.lower, stats.median - floor);
  let upper = Math.max(fences.upper, stats.median + floor);
  if (nonNegative) {
    lower = Math.min(lower, stats.q1 / options.minRatio);
    upper = Math.max(upper, stats.q3 * options.minRatio);
  }
  return { lowerFence: sides === "upper" ? null : lower, upperFence: sides === "lower" ? null : upper };
}

/**
 * The method's own fences, then pushed out to the magnitude floors ({@link applyFloors}): without them a
 * group whose spread is zero (`/` always 42 bytes, IQR 0) would flag a one-byte change, and a group that
 * varies by ±10% would flag its largest few per mille by rank.
 */
export function fencesFor(
  stats: Pick<Profile, "q1" | "median" | "q3" | "iqr" | "mad" | "mean" | "std">,
  options: FenceOptions,
  nonNegative = false,
  sides: Sides = options.side === "auto" ? "upper" : options.side,
): { lowerFence: number | null; upperFence: number | null } {
  const { method, cutoff } = options;
  let lower: number;
  let upper: number;
  if (method === "iqr") {
    lower = stats.q1 - cutoff * stats.iqr;
    upper = stats.q3 + cutoff * stats.iqr;
  } else if (method === "mad") {
    const spread = (cutoff * stats.mad) / MAD_SCALE;
    lower = stats.median - spread;
    upper = stats.median + spread;
  } else {
    lower = stats.mean - cutoff * stats.std;
    upper = stats.mean + cutoff * stats.std;
  }
  return applyFloors({ lower, upper }, stats, options, nonNegative, sides);
}

/**
 * Tukey's fences on log(1 + x): upper = expm1(L3 + k·(L3 − L1)) with L = log1p(quartile). Used for the
 * fallback distribution of all records, which mixes resources whose sizes differ by orders of magnitude
 * (a 42-byte page and a 5 MB image), so distances there are ratios, not bytes. Quantiles commute with a
 * monotone transform, so the log quartiles are exact whenever the linear ones are.
 */
export function logFencesFor(
  stats: Quartiles,
  options: Pick<FenceOptions, "side" | "minRelativeDeviation" | "minRatio"> & { k: number },
  sides: Sides = options.side === "auto" ? "upper" : options.side,
): { lowerFence: number | null; upperFence: number | null } {
  const l1 = Math.log1p(stats.q1);
  const l3 = Math.log1p(stats.q3);
  const spread = options.k * (l3 - l1);
  return applyFloors(
    { lower: Math.expm1(l1 - spread), upper: Math.expm1(l3 + spread) },
    stats,
    options,
    true,
    sides,
  );
}

/**
 * Computes a distribution's statistics and fences; done once per group after fitting. `scale: "log"`
 * uses {@link logFencesFor} (non-negative values only; negative data keeps the linear fences).
 */
export function profileOf(
  d: Distribution,
  options: FenceOptions & { relativeAccuracy: number },
  scale: "linear" | "log" = "linear",
  own = true,
): Profile {
  const table = tableOf(d);
  const q1 = quantile(table, 0.25);
  const median = quantile(table, 0.5);
  const q3 = quantile(table, 0.75);
  const stats = {
    q1,
    median,
    q3,
    iqr: q3 - q1,
    mad: medianAbsoluteDeviation(table, median),
    ...meanAndStd(table),
  };
  const sides = sidesFor(stats, options, own);
  return {
    count: d.count,
    min: d.min,
    max: d.max,
    ...stats,
    ...(scale === "log" && d.min >= 0
      ? logFencesFor(
          stats,
          { ...options, k: options.method === "iqr" ? options.cutoff : DEFAULT_LOG_K },
          sides,
        )
      : fencesFor(stats, options, d.min >= 0, sides)),
    sides,
    relativeError: d.exact === null ? options.relativeAccuracy : 0,
    table,
  };
}
