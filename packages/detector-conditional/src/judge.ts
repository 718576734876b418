import { pairKey } from "@oddity/core";
import type { PairRule } from "./options.js";
import type { PairCounts } from "./state.js";

/** The numbers behind one (given, target) observation, and whether they make it odd. */
export interface Judgement {
  /** count(a, b); 0 for a pair never seen together. */
  count: number;
  /** count(a). */
  givenCount: number;
  /** count(b) over the whole baseline. */
  targetCount: number;
  /** N, the baseline size. */
  total: number;
  /** P(b | a) = count(a, b) / count(a), or α / (count(a) + α(K + 1)) for an unseen pair. */
  probability: number;
  /** P(b) = count(b) / N, or α / (N + α(K + 1)) for a target value never seen. */
  targetProbability: number;
  /** P(b | a) / P(b): below 1 when b is rarer with a than overall. */
  lift: number;
  /** True when every count used is exact (no sketch estimate). */
  exact: boolean;
  /** Largest sketch error among the counts used; 0 when exact. */
  errorBound: number;
  flagged: boolean;
}

/**
 * Judges target value `b` given value `a` against a pair's counts: flagged when count(a) reaches the
 * minimum support, P(b | a) is below the threshold, and (unless maxLift is null) b is at least
 * 1/maxLift times rarer with a than overall. Sketched counts are upper estimates, so support is judged on
 * count(a) minus its error bound: a given value is never judged on support it may not have.
 */
export function judge(
  counts: PairCounts,
  rule: PairRule,
  smoothing: number,
  a: string,
  b: string,
): Judgement {
  const { givens, targets, cells } = counts;
  const total = givens.total;
  const givenCount = givens.count(a);
  const givenExact = givens.isExact(a);
  const support = givenExact ? givenCount : givenCount - givens.errorBound();
  const vocabulary = targets.distinct + 1;
  const key = pairKey(a, b);
  const count = cells.count(key);
  const targetCount = targets.count(b);
  const probability = count > 0 ? count / givenCount : smoothing / (givenCount + smoothing * vocabulary);
  const targetProbability =
    targetCount > 0 ? targetCount / total : smoothing / (total + smoothing * vocabulary);
  const lift = probability / targetProbability;
  const exact = givenExact && cells.isExact(key) && targets.isExact(b);
  return {
    count,
    givenCount,
    targetCount,
    total,
    probability,
    targetProbability,
    lift,
    exact,
    errorBound: exact ? 0 : Math.max(givens.errorBound(), cells.errorBound(), targets.errorBound()),
    flagged:
      total > 0 &&
      support >= rule.minSupport &&
      probability < rule.threshold &&
      (rule.maxLift === null || lift < rule.maxLift),
  };
}
