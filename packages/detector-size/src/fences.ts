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
  /** 0 when quantiles are exact, else the sketch's relative accuracy. */
  relativeError: number;
  /** Sorted values with counts, for tail probabilities. */
  table: WeightedValues;
}

type FenceOptions = Pick<ResolvedOptions, "method" | "cutoff" | "side" | "minRelativeDeviation">;

/**
 * The method's own fences, then pushed out to at least `minRelativeDeviation` × |median| from the
 * median: without that floor a group whose spread is zero (`/` always 42 bytes, IQR 0) would flag a
 * one-byte change, which is template or header noise far more often than an incident.
 */
export function fencesFor(
  stats: Pick<Profile, "q1" | "median" | "q3" | "iqr" | "mad" | "mean" | "std">,
  options: FenceOptions,
): { lowerFence: number | null; upperFence: number | null } {
  const { method, cutoff, side, minRelativeDeviation } = options;
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
  const floor = minRelativeDeviation * Math.abs(stats.median);
  return {
    lowerFence: side === "upper" ? null : Math.min(lower, stats.median - floor),
    upperFence: side === "lower" ? null : Math.max(upper, stats.median + floor),
  };
}

/**
 * Tukey's fences on log(1 + x): upper = expm1(L3 + k·(L3 − L1)) with L = log1p(quartile). Used for the
 * fallback distribution of all records, which mixes resources whose sizes differ by orders of magnitude
 * (a 42-byte page and a 5 MB image), so distances there are ratios, not bytes. Quantiles commute with a
 * monotone transform, so the log quartiles are exact whenever the linear ones are.
 */
export function logFencesFor(
  stats: Pick<Profile, "q1" | "median" | "q3">,
  options: Pick<FenceOptions, "side" | "minRelativeDeviation"> & { k: number },
): { lowerFence: number | null; upperFence: number | null } {
  const l1 = Math.log1p(stats.q1);
  const l3 = Math.log1p(stats.q3);
  const spread = options.k * (l3 - l1);
  const floor = options.minRelativeDeviation * Math.abs(stats.median);
  return {
    lowerFence: options.side === "upper" ? null : Math.min(Math.expm1(l1 - spread), stats.median - floor),
    upperFence: options.side === "lower" ? null : Math.max(Math.expm1(l3 + spread), stats.median + floor),
  };
}

/**
 * Computes a distribution's statistics and fences; done once per group after fitting. `scale: "log"`
 * uses {@link logFencesFor} (non-negative values only; negative data keeps the linear fences).
 */
export function profileOf(
  d: Distribution,
  options: FenceOptions & { relativeAccuracy: number },
  scale: "linear" | "log" = "linear",
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
  return {
    count: d.count,
    min: d.min,
    max: d.max,
    ...stats,
    ...(scale === "log" && d.min >= 0
      ? logFencesFor(stats, { ...options, k: options.method === "iqr" ? options.cutoff : DEFAULT_LOG_K })
      : fencesFor(stats, options)),
    relativeError: d.exact === null ? options.relativeAccuracy : 0,
    table,
  };
}
