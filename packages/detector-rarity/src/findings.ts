import {
  formatCount,
  formatProbability,
  quoteValue,
  surprisal,
  type BoundedCounter,
  type Finding,
} from "@oddity/core";
import type { FieldCut } from "./cutoff.js";

/** What a finding needs besides the value: who reports it and the field's counts and cut-off. */
export interface FindingContext {
  detector: string;
  field: string;
  counter: BoundedCounter;
  cut: FieldCut;
  smoothing: number;
}

function percent(p: number): string {
  return `${Number((p * 100).toFixed(1))}%`;
}

/**
 * A value seen in the baseline, but rarely: P(v) = count(v) / N, the lesson's `value_counts(normalize=True)`.
 * Counts of sketched values are upper estimates, and the message says by how much they may be off.
 */
export function rareFinding(
  { detector, field, counter, cut }: FindingContext,
  value: string,
  count: number,
): Finding {
  const total = counter.total;
  const probability = count / total;
  const exact = counter.isExact(value);
  const counts: Record<string, number> = { count, total, distinct: counter.distinct };
  let message: string;
  let statistics: Record<string, number> | undefined;
  if (exact) {
    message = `${field} ${quoteValue(value)} seen ${formatCount(count)} time${count === 1 ? "" : "s"} in ${formatCount(total)} requests (p=${formatProbability(probability)})`;
  } else {
    const bound = counter.errorBound();
    counts.error_bound = bound;
    statistics = { confidence: counter.confidence };
    message =
      `${field} ${quoteValue(value)} seen about ${formatCount(count)} times in ${formatCount(total)} requests ` +
      `(p≈${formatProbability(probability)}; count-min estimate, at most ${formatCount(bound)} too high with ${percent(counter.confidence)} confidence)`;
  }
  return {
    detector,
    kind: "rare",
    fields: [field],
    values: [value],
    probability,
    surprisal: surprisal(probability),
    threshold: { name: "probability", direction: "below", value: cut.limit },
    counts,
    message,
    ...(statistics ? { statistics } : {}),
  };
}

/**
 * A value the baseline never had. Additive smoothing over the K seen values plus one bucket for all
 * unseen ones gives P(unseen) = α / (N + α(K + 1)), below 1/N (a value seen once) yet never 0.
 */
export function unseenFinding(
  { detector, field, counter, cut, smoothing }: FindingContext,
  value: string,
): Finding {
  const total = counter.total;
  const distinct = counter.distinct;
  const probability = smoothing / (total + smoothing * (distinct + 1));
  return {
    detector,
    kind: "unseen",
    fields: [field],
    values: [value],
    probability,
    surprisal: surprisal(probability),
    threshold: { name: "probability", direction: "below", value: cut.limit },
    counts: { count: 0, total, distinct },
    message: `${field} ${quoteValue(value)} never seen in ${formatCount(total)} baseline requests (smoothed p=${formatProbability(probability)})`,
    statistics: { smoothing },
  };
}
