/** The bound a value crossed, so a reader sees how far past it the value is. */
export interface Threshold {
  /** What is compared, e.g. `probability`, `upper_fence`, `robust_z`. */
  name: string;
  /** How it is compared: the value was `below` or `above` the limit. */
  direction: "below" | "above";
  value: number;
}

/**
 * One reason a record is odd, with the evidence behind it. Detectors return these from `score`; the
 * engine sums their surprisal into the record's score.
 */
export interface Finding {
  /** The id of the detector instance that produced it (its `id` in the config, or its name). */
  detector: string;
  /** A short machine-readable kind within the detector: `rare`, `unseen`, `conditional`, `size` ... */
  kind: string;
  /** The fields involved, e.g. `["user_agent"]` or `["ip", "status"]` (given first). */
  fields: string[];
  /** The record's values for `fields`, in the same order. */
  values: string[];
  /**
   * What the finding is about, when that is not its values: `parameter "page" of "/api/v1/products"` for
   * a finding whose value is a whole request target. Hosts group findings by it (a tool's hundred
   * payloads for one parameter are one incident); leave it out when the values say it.
   */
  subject?: string;
  /** The probability of this observation under the baseline (or a tail probability for numeric tests). */
  probability: number;
  /** −log2(probability), in bits. */
  surprisal: number;
  /** The limit crossed. */
  threshold: Threshold;
  /** The real numbers behind the verdict (`count`, `total`, `given_count` ...). */
  counts: Record<string, number>;
  /** A sentence a person can act on, e.g. `user_agent "Python-urllib/3.7" seen 1 time in 13,978 requests (p=0.000072)`. */
  message: string;
  /** Extra numbers for numeric tests (median, fences, z), when the probability alone does not tell. */
  statistics?: Record<string, number>;
}

/** What `score` returns when nothing is odd: shared, so the common case allocates nothing. */
export const NO_FINDINGS: readonly Finding[] = Object.freeze([]);
