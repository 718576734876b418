/** Value frequencies of one field, as rarity learned them. */
export interface FrequencySummary {
  kind: "frequencies";
  detector: string;
  field: string;
  total: number;
  distinct: number;
  /** Most frequent first; may be cut to the head and the rare tail. */
  values: Array<{ value: string; count: number; probability: number; flagged: boolean }>;
  /** Values at or below this probability are flagged. */
  threshold: number;
}

/** A conditional table P(target | given), for heat maps. */
export interface ConditionalSummary {
  kind: "conditional";
  detector: string;
  given: string;
  target: string;
  cells: Array<{
    given: string;
    target: string;
    count: number;
    givenCount: number;
    probability: number;
    flagged: boolean;
  }>;
  threshold: number;
  minSupport: number;
}

/** A numeric distribution per group, for box plots. */
export interface DistributionSummary {
  kind: "distribution";
  detector: string;
  field: string;
  groupBy: string | null;
  groups: Array<{
    group: string;
    count: number;
    min: number;
    q1: number;
    median: number;
    q3: number;
    max: number;
    lowerFence: number | null;
    upperFence: number | null;
    /** Records of this group skipped because the field was absent (`-`). */
    missing?: number;
    /** Relative error of the quantiles when they come from a sketch (0 when exact). */
    relativeError?: number;
  }>;
}

/** What a detector's state can show about itself; reports draw these. */
export type Summary = FrequencySummary | ConditionalSummary | DistributionSummary;
