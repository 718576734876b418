import {
  canonicalField,
  formatCount,
  formatProbability,
  quoteValue,
  surprisal,
  type Finding,
} from "@oddity/core";
import { tableValue, type Distribution } from "./distribution.js";
import { MAD_SCALE, type Profile } from "./fences.js";
import type { ResolvedOptions } from "./options.js";
import { countAtLeast, countAtMost } from "./weighted.js";

const decimalFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });

/** Integers with thousands separators (byte counts are read by people), others to 6 significant digits. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : decimalFormat.format(n);
}

/** A statistic for a message; sketched ones are marked approximate and not shown more precisely than they are. */
function formatStatistic(n: number, relativeError: number): string {
  if (relativeError === 0) return formatNumber(n);
  return `≈${formatNumber(Math.abs(n) >= 100 ? Math.round(n) : n)}`;
}

function unitOf(field: string): string {
  const canonical = canonicalField(field);
  if (canonical === "size") return " bytes";
  if (canonical === "size_mb") return " MB";
  return "";
}

/** Where the reference distribution came from, for the message and counts. */
export interface Reference {
  profile: Profile;
  distribution: Distribution;
  /** The record's group values; null when it has no group (or grouping is off). */
  labels: string[] | null;
  /** Baseline records of the record's own group (0 when unseen or evicted). */
  groupCount: number;
  /** True when the record's own group had too few records and the global distribution stands in. */
  fallback: boolean;
}

function describeGroup(labels: readonly string[], groupBy: readonly string[]): string {
  if (labels.length === 1) return quoteValue(labels[0]!);
  return labels.map((label, i) => `${groupBy[i]}=${quoteValue(label)}`).join(" ");
}

/**
 * The finding for a value past a fence. Its probability is the empirical tail of the reference
 * distribution, (values at least as extreme + 1) / (n + 1): distribution-free, never zero, and exact
 * while the distribution is exact; doubled (capped at 1) when both sides are tested.
 */
export function buildFinding({
  id,
  value,
  high,
  reference,
  missing,
  options,
}: {
  id: string;
  value: number;
  high: boolean;
  reference: Reference;
  missing: number;
  options: ResolvedOptions;
}): Finding {
  const { profile, distribution, labels, groupCount, fallback } = reference;
  const comparable = tableValue(distribution, value);
  const tail = high ? countAtLeast(profile.table, comparable) : countAtMost(profile.table, comparable);
  const oneSided = (tail + 1) / (profile.count + 1);
  const probability = profile.sides === "both" ? Math.min(1, 2 * oneSided) : oneSided;
  const fence = (high ? profile.upperFence : profile.lowerFence)!;

  const statistics: Record<string, number> = {
    value,
    median: profile.median,
    q1: profile.q1,
    q3: profile.q3,
    iqr: profile.iqr,
    mad: profile.mad,
    mean: profile.mean,
    std: profile.std,
    relative_error: profile.relativeError,
  };
  if (profile.lowerFence !== null) statistics.lower_fence = profile.lowerFence;
  if (profile.upperFence !== null) statistics.upper_fence = profile.upperFence;
  if (profile.mad > 0) statistics.robust_z = (MAD_SCALE * (value - profile.median)) / profile.mad;
  if (profile.std > 0) statistics.z = (value - profile.mean) / profile.std;

  const unit = unitOf(options.field);
  const where = labels === null ? "" : ` for ${describeGroup(labels, options.groupBy)}`;
  const basis = !fallback
    ? `${labels === null ? "" : "group "}median ${formatStatistic(profile.median, profile.relativeError)}`
    : groupCount >= options.minGroupSize
      ? `group not among the ${formatCount(options.maxGroups)} largest (maxGroups), so compared with all: median ${formatStatistic(profile.median, profile.relativeError)}`
      : `group has ${formatCount(groupCount)} of the ${formatCount(options.minGroupSize)} records needed, so compared with all: median ${formatStatistic(profile.median, profile.relativeError)}`;
  const side = high ? "upper" : "lower";
  const extreme = high ? "at least as large" : "at most as small";
  const message =
    `${options.field} ${formatNumber(value)}${unit}${where} (${basis}; ${side} fence ${formatStatistic(fence, profile.relativeError)}; ` +
    `${formatCount(tail)} of ${formatCount(profile.count)} ${extreme}, p=${formatProbability(probability)})`;

  return {
    detector: id,
    kind: high ? "high" : "low",
    fields: labels === null ? [options.field] : [options.field, ...options.groupBy],
    values: labels === null ? [String(value)] : [String(value), ...labels],
    probability,
    surprisal: surprisal(probability),
    threshold: { name: `${side}_fence`, direction: high ? "above" : "below", value: fence },
    counts: {
      group_count: groupCount,
      reference_count: profile.count,
      tail_count: tail,
      missing_count: missing,
    },
    message,
    statistics,
  };
}
