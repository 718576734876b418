import { formatCount, formatProbability, quoteValue, surprisal, type Finding } from "@oddity/core";
import type { PairRule } from "./options.js";
import type { Judgement } from "./judge.js";

function percent(p: number): string {
  return `${Number((p * 100).toFixed(1))}%`;
}

function liftText(lift: number): string {
  return lift >= 0.01 ? String(Number(lift.toPrecision(2))) : formatProbability(lift);
}

/**
 * The finding for a flagged observation: `status "500" given ip "97.105.19.58": 3 of 11,998 requests
 * (p=0.00025; overall p=0.0019, lift 0.13)`, or `never in ...` with a smoothed probability for an unseen pair.
 */
export function conditionalFinding({
  detector,
  rule,
  judgement: j,
  given,
  target,
  smoothing,
  confidence,
}: {
  detector: string;
  rule: PairRule;
  judgement: Judgement;
  given: string;
  target: string;
  smoothing: number;
  /** Confidence of the sketch error bound, when a count is estimated. */
  confidence: number;
}): Finding {
  const unseen = j.count === 0;
  const head = `${rule.target} ${quoteValue(target)} given ${rule.given} ${quoteValue(given)}`;
  const overall = `overall p=${formatProbability(j.targetProbability)}, lift ${liftText(j.lift)}`;
  let message = unseen
    ? `${head}: never in ${formatCount(j.givenCount)} requests (smoothed p=${formatProbability(j.probability)}; ${overall})`
    : `${head}: ${formatCount(j.count)} of ${formatCount(j.givenCount)} requests (p=${formatProbability(j.probability)}; ${overall})`;
  const counts: Record<string, number> = {
    count: j.count,
    given_count: j.givenCount,
    target_count: j.targetCount,
    total: j.total,
  };
  const statistics: Record<string, number> = {
    target_probability: j.targetProbability,
    lift: j.lift,
    pmi: Math.log2(j.lift),
  };
  if (unseen) statistics.smoothing = smoothing;
  if (!j.exact) {
    counts.error_bound = j.errorBound;
    statistics.confidence = confidence;
    message += ` [count-min estimates, at most ${formatCount(j.errorBound)} too high with ${percent(confidence)} confidence]`;
  }
  return {
    detector,
    kind: unseen ? "unseen" : "conditional",
    fields: [rule.given, rule.target],
    values: [given, target],
    probability: j.probability,
    surprisal: surprisal(j.probability),
    threshold: { name: "probability", direction: "below", value: rule.threshold },
    counts,
    message,
    statistics,
  };
}
