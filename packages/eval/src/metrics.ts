/** Detection quality of one ranking against labels. Ratios are null when undefined (0/0). */
export interface Metrics {
  /** Records evaluated. */
  records: number;
  /** Labelled anomalies among them. */
  positives: number;
  /** Records the pipeline reported (it had findings and met `minScore`). */
  flagged: number;
  /** Flagged records that are labelled anomalies. */
  truePositives: number;
  /** truePositives / flagged. */
  precision: number | null;
  /** truePositives / positives. */
  recall: number | null;
  /** Harmonic mean of precision and recall. */
  f1: number | null;
  /**
   * Precision at k = positives (R-precision): k adapts to how many anomalies there are, so kinds with few
   * examples stay comparable.
   */
  rPrecision: number | null;
  /** Share of labelled anomalies among the k highest-ranked records (k capped at `records`). */
  precisionAtK: Array<{ k: number; precision: number | null }>;
  /**
   * Area under the ROC curve of the record score (unflagged records score 0): the probability that a
   * random anomaly outscores a random normal record, ties counting one half.
   */
  rocAuc: number | null;
}

/** Per-record inputs of {@link computeMetrics}; all arrays are indexed by record. */
export interface MetricsInput {
  scores: ArrayLike<number>;
  flagged: ArrayLike<boolean>;
  positive: ArrayLike<boolean>;
  k: readonly number[];
  /** Restricts the evaluation to these records (e.g. normal + one kind); default all. */
  include?: ArrayLike<boolean>;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/**
 * Highest score first; equal scores keep input order. Planted anomalies sit at random positions, so
 * input order breaks ties like a fixed random draw would, without favouring either label.
 */
export function rankIndexes(scores: ArrayLike<number>, indexes: number[]): number[] {
  return indexes.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * ROC AUC by the Mann–Whitney rank statistic: rank all scores ascending (tied scores share their mean
 * rank), then AUC = (sum of positive ranks − P(P+1)/2) / (P·N). Exact, and equal to the pairwise
 * definition with ties counted one half.
 */
export function rocAuc({
  scores,
  positive,
  indexes,
}: {
  scores: ArrayLike<number>;
  positive: ArrayLike<boolean>;
  indexes: readonly number[];
}): number | null {
  const sorted = [...indexes].sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && scores[sorted[j + 1]!] === scores[sorted[i]!]) j++;
    const meanRank = (i + 1 + (j + 1)) / 2;
    for (let m = i; m <= j; m++) {
      if (positive[sorted[m]!]) {
        positives++;
        rankSum += meanRank;
      }
    }
    i = j + 1;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Precision, recall, F1, precision@k and ROC AUC of one scored, labelled set of records. */
export function computeMetrics({ scores, flagged, positive, k, include }: MetricsInput): Metrics {
  const indexes: number[] = [];
  for (let i = 0; i < scores.length; i++) if (include === undefined || include[i]) indexes.push(i);
  let positives = 0;
  let flaggedCount = 0;
  let truePositives = 0;
  for (const i of indexes) {
    if (positive[i]) positives++;
    if (flagged[i]) {
      flaggedCount++;
      if (positive[i]) truePositives++;
    }
  }
  const precision = ratio(truePositives, flaggedCount);
  const recall = ratio(truePositives, positives);
  // 2TP / (2TP + FP + FN): the harmonic mean without its rounding.
  const f1 = precision === null || recall === null ? null : (2 * truePositives) / (flaggedCount + positives);
  const ranked = rankIndexes(scores, [...indexes]);
  const precisionAt = (wanted: number) => {
    const depth = Math.min(wanted, ranked.length);
    let hits = 0;
    for (let r = 0; r < depth; r++) if (positive[ranked[r]!]) hits++;
    return ratio(hits, depth);
  };
  return {
    records: indexes.length,
    positives,
    flagged: flaggedCount,
    truePositives,
    precision,
    recall,
    f1,
    rPrecision: precisionAt(positives),
    precisionAtK: k.map((wanted) => ({ k: wanted, precision: precisionAt(wanted) })),
    rocAuc: rocAuc({ scores, positive, indexes }),
  };
}
