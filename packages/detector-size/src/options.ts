import { z } from "@oddity/core";

/** Tukey's multiplier for "outside" values, the textbook and pandas-lesson default. */
export const DEFAULT_K = 1.5;
/** Iglewicz and Hoaglin's cut-off for the modified (robust) z-score. */
export const DEFAULT_ROBUST_Z = 3.5;
/** The usual three-sigma rule. */
export const DEFAULT_Z = 3;
/** A finding must lie at least this factor beyond its group's quartiles (twice Q3, half Q1). */
export const DEFAULT_MIN_RATIO = 2;
/** A value past the fences is a finding only when its tail probability is at most this. */
export const DEFAULT_MAX_PROBABILITY = 0.05;

const positive = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .refine((n) => Number.isFinite(n) && n > 0, { error: `expected ${what}` });

const fieldName = z.string({ error: "expected a field name" }).min(1, { error: "expected a field name" });

/** The options schema of the size detector; the host validates and applies these defaults. */
export const sizeOptionsSchema = z
  .strictObject({
    field: fieldName.default("size").describe("the numeric field judged"),
    method: z
      .enum(["iqr", "mad", "zscore"], { error: 'expected "iqr", "mad" or "zscore"' })
      .default("iqr")
      .describe("outlier test: Tukey fences (iqr), robust z from the median (mad) or the mean's z-score"),
    k: positive("a positive multiplier of the IQR, e.g. 1.5")
      .optional()
      .describe("iqr only: fences at k × IQR beyond the quartiles (default 1.5)"),
    threshold: positive("a positive z cut-off, e.g. 3.5")
      .optional()
      .describe("mad and zscore only: the |z| cut-off (default 3.5 for mad, 3 for zscore)"),
    side: z
      .enum(["auto", "upper", "lower", "both"], { error: 'expected "auto", "upper", "lower" or "both"' })
      .default("auto")
      .describe(
        "which tail is flagged: upper (too large), lower (too small), both, or auto (upper, and lower too on a group whose middle half lies within minRatio)",
      ),
    groupBy: z
      .union([fieldName, z.array(fieldName).min(1).max(4), z.null()], {
        error: "expected a field name, a list of 1 to 4 field names, or null for one global distribution",
      })
      .default("path_template")
      .describe("compare each record with its group (1 to 4 fields); null: one distribution for all"),
    fallback: z
      .enum(["global", "none"], { error: 'expected "global" or "none"' })
      .default("global")
      .describe("what a record of a too-small group is compared with: all records (global) or nothing"),
    fallbackScale: z
      .enum(["log", "linear"], { error: 'expected "log" or "linear"' })
      .default("log")
      .describe("scale of the global comparison: log (sizes spread over orders of magnitude) or linear"),
    minGroupSize: z
      .number()
      .int({ error: "expected a whole number of records ≥ 2" })
      .min(2, { error: "expected a whole number of records ≥ 2" })
      .default(20)
      .describe("records a group needs to be judged on its own"),
    maxGroups: z
      .number()
      .int({ error: "expected a whole number of groups from 1 to 100,000" })
      .min(1, { error: "expected a whole number of groups from 1 to 100,000" })
      .max(100_000, { error: "expected a whole number of groups from 1 to 100,000" })
      .default(500)
      .describe("groups kept; the less frequent are compared with all records"),
    exactLimit: z
      .number()
      .int({ error: "expected a whole number of distinct values from 1 to 1,000,000" })
      .min(1, { error: "expected a whole number of distinct values from 1 to 1,000,000" })
      .max(1_000_000, { error: "expected a whole number of distinct values from 1 to 1,000,000" })
      .default(1000)
      .describe("distinct values per group kept exactly before the group switches to a quantile sketch"),
    relativeAccuracy: z
      .number({ error: "expected a relative error between 0 and 0.05, e.g. 0.001" })
      .refine((n) => n > 0 && n <= 0.05, {
        error: "expected a relative error between 0 and 0.05, e.g. 0.001",
      })
      .default(0.001)
      .describe("relative error of the quantile sketch"),
    minRelativeDeviation: z
      .number({ error: "expected a fraction of the median ≥ 0, e.g. 0.1" })
      .refine((n) => Number.isFinite(n) && n >= 0, {
        error: "expected a fraction of the median ≥ 0, e.g. 0.1",
      })
      .default(0.1)
      .describe("flag only values at least this fraction of the median away from it (ignores tiny spreads)"),
    minRatio: z
      .number({ error: "expected a factor ≥ 1 beyond the quartiles, e.g. 2" })
      .refine((n) => Number.isFinite(n) && n >= 1, {
        error: "expected a factor ≥ 1 beyond the quartiles, e.g. 2",
      })
      .default(DEFAULT_MIN_RATIO)
      .describe(
        "flag only values more than this factor above the upper quartile or below the lower quartile",
      ),
    maxProbability: z
      .number({ error: "expected a probability above 0 and at most 1, e.g. 0.05" })
      .refine((n) => n > 0 && n <= 1, { error: "expected a probability above 0 and at most 1, e.g. 0.05" })
      .default(DEFAULT_MAX_PROBABILITY)
      .describe("a value past a fence is a finding only when its tail probability is below this"),
  })
  .superRefine((options, context) => {
    if (options.k !== undefined && options.method !== "iqr") {
      context.addIssue({
        code: "custom",
        path: ["k"],
        message: `k is the IQR multiplier and applies to method "iqr" only; use threshold with method "${options.method}"`,
      });
    }
    if (options.threshold !== undefined && options.method === "iqr") {
      context.addIssue({
        code: "custom",
        path: ["threshold"],
        message: 'threshold is a z cut-off for methods "mad" and "zscore"; use k with method "iqr"',
      });
    }
  });

/** Options as the user writes them (every key optional). */
export type SizeOptionsInput = z.input<typeof sizeOptionsSchema>;
/** Options after validation and defaults, as the detector receives them. */
export type SizeOptions = z.output<typeof sizeOptionsSchema>;

/** Options with the method-dependent cut-off resolved and the grouping fields as a list. */
export interface ResolvedOptions {
  field: string;
  method: "iqr" | "mad" | "zscore";
  /** `k` for iqr, the |z| cut-off for mad and zscore. */
  cutoff: number;
  side: "auto" | "upper" | "lower" | "both";
  /** Empty for one global distribution. */
  groupBy: string[];
  /** What a record whose group is too small (or absent) is compared with: all records, or nothing. */
  fallback: "global" | "none";
  fallbackScale: "log" | "linear";
  minGroupSize: number;
  maxGroups: number;
  exactLimit: number;
  relativeAccuracy: number;
  minRelativeDeviation: number;
  /** Fences lie at least this factor beyond the quartiles (non-negative values). */
  minRatio: number;
  /** Values past a fence whose tail probability exceeds this are not findings. */
  maxProbability: number;
}

/** Fills the defaults that depend on the method. */
export function resolveOptions(options: SizeOptions): ResolvedOptions {
  const cutoff =
    options.method === "iqr"
      ? (options.k ?? DEFAULT_K)
      : (options.threshold ?? (options.method === "mad" ? DEFAULT_ROBUST_Z : DEFAULT_Z));
  return {
    field: options.field,
    method: options.method,
    cutoff,
    side: options.side,
    groupBy:
      options.groupBy === null
        ? []
        : typeof options.groupBy === "string"
          ? [options.groupBy]
          : options.groupBy,
    fallback: options.fallback,
    fallbackScale: options.fallbackScale,
    minGroupSize: options.minGroupSize,
    maxGroups: options.maxGroups,
    exactLimit: options.exactLimit,
    relativeAccuracy: options.relativeAccuracy,
    minRelativeDeviation: options.minRelativeDeviation,
    minRatio: options.minRatio,
    maxProbability: options.maxProbability,
  };
}
