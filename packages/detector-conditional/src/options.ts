import { MAX_DISTINCT_LIMIT, canonicalField, z } from "@oddity/core";

/** The pairs watched unless told otherwise, as P(target | given). */
export const DEFAULT_PAIRS = [
  { given: "ip", target: "status" },
  { given: "ip", target: "user_agent" },
  { given: "path_template", target: "status" },
  { given: "path_template", target: "method" },
] as const;
/** Default limit: flag when P(target | given) is below 1%. */
export const DEFAULT_THRESHOLD = 0.01;
/** Default support: a given value must have been seen in at least 20 baseline requests to be judged. */
export const DEFAULT_MIN_SUPPORT = 20;
/** Default lift limit: P(b | a) must be under half of P(b), i.e. PMI ≤ −1 bit. */
export const DEFAULT_MAX_LIFT = 0.5;
/** Default additive-smoothing pseudo-count (Laplace) for pairs never seen in the baseline. */
export const DEFAULT_SMOOTHING = 1;
/** Default number of distinct values (and pairs) per pair counted exactly before the tail is sketched. */
export const DEFAULT_MAX_DISTINCT = 50_000;

const THRESHOLD_ERROR = "expected a probability above 0 and below 1 (e.g. 0.01)";
const SUPPORT_ERROR = "expected a whole number of requests ≥ 1 (e.g. 20)";
const LIFT_ERROR =
  "expected a lift above 0 (0.5 = half as common as overall), or null to judge P(target | given) alone";
const SMOOTHING_ERROR = "expected an additive-smoothing pseudo-count above 0 and at most 1 (1 = Laplace)";
const MAX_DISTINCT_ERROR = `expected a whole number of distinct values from 1 to ${MAX_DISTINCT_LIMIT.toLocaleString("en-US")}`;
const FIELD_ERROR = "expected a field name, e.g. ip";

const threshold = z
  .number({ error: THRESHOLD_ERROR })
  .gt(0, { error: THRESHOLD_ERROR })
  .lt(1, { error: THRESHOLD_ERROR });
const minSupport = z
  .number({ error: SUPPORT_ERROR })
  .int({ error: SUPPORT_ERROR })
  .min(1, { error: SUPPORT_ERROR })
  .max(Number.MAX_SAFE_INTEGER, { error: SUPPORT_ERROR });
const maxLift = z
  .number({ error: LIFT_ERROR })
  .gt(0, { error: LIFT_ERROR })
  .refine(Number.isFinite, { error: LIFT_ERROR })
  .nullable();
const fieldName = z.string({ error: FIELD_ERROR }).min(1, { error: FIELD_ERROR });

const pairSpec = z.strictObject(
  {
    given: fieldName,
    target: fieldName,
    threshold: threshold.optional(),
    minSupport: minSupport.optional(),
    maxLift: maxLift.optional(),
  },
  { error: "expected { given, target, threshold?, minSupport?, maxLift? }" },
);

/** The options schema of the conditional detector; the host validates and applies these defaults. */
export const conditionalOptionsSchema = z
  .strictObject({
    pairs: z
      .array(pairSpec, { error: "expected a list of { given, target } pairs" })
      .min(1, { error: "expected at least one pair" })
      .default(DEFAULT_PAIRS.map((p) => ({ ...p })))
      .describe(
        "pairs judged as P(target | given), each { given, target, threshold?, minSupport?, maxLift? }",
      ),
    threshold: threshold
      .default(DEFAULT_THRESHOLD)
      .describe("flag a target value whose probability given the given value is below this"),
    minSupport: minSupport
      .default(DEFAULT_MIN_SUPPORT)
      .describe("baseline requests a given value needs before its pairs are judged"),
    maxLift: maxLift
      .default(DEFAULT_MAX_LIFT)
      .describe("flag only when P(target | given) is under this share of P(target) overall; null: off"),
    smoothing: z
      .number({ error: SMOOTHING_ERROR })
      .gt(0, { error: SMOOTHING_ERROR })
      .max(1, { error: SMOOTHING_ERROR })
      .default(DEFAULT_SMOOTHING)
      .describe("additive-smoothing pseudo-count for pairs never seen in the baseline (1 = Laplace)"),
    maxDistinct: z
      .number({ error: MAX_DISTINCT_ERROR })
      .int({ error: MAX_DISTINCT_ERROR })
      .min(1, { error: MAX_DISTINCT_ERROR })
      .max(MAX_DISTINCT_LIMIT, { error: MAX_DISTINCT_ERROR })
      .default(DEFAULT_MAX_DISTINCT)
      .describe("distinct values (and pairs) per pair counted exactly; the tail is counted in a sketch"),
  })
  .superRefine((options, context) => {
    const seen = new Map<string, number>();
    resolvePairs(options).forEach((rule, i) => {
      if (rule.given === rule.target) {
        context.addIssue({
          code: "custom",
          path: ["pairs", i, "target"],
          message: `a field given itself is always certain; pick two different fields`,
        });
      }
      const key = `${rule.target}|${rule.given}`;
      const first = seen.get(key);
      if (first !== undefined) {
        context.addIssue({
          code: "custom",
          path: ["pairs", i],
          message: `${key} is already watched by pairs[${first}]; list each pair once`,
        });
      }
      seen.set(key, i);
    });
  });

/** Options as the user writes them (every key optional). */
export type ConditionalOptionsInput = z.input<typeof conditionalOptionsSchema>;
/** Options after validation and defaults, as the detector receives them. */
export type ConditionalOptions = z.output<typeof conditionalOptionsSchema>;

/** The limits one pair is judged by, with overrides applied and aliases resolved. */
export interface PairRule {
  /** The conditioning field A (canonical name). */
  given: string;
  /** The field B whose value is judged given A's (canonical name). */
  target: string;
  threshold: number;
  minSupport: number;
  maxLift: number | null;
}

/** Per-pair rules: each pair's overrides over the top-level limits. */
export function resolvePairs(
  options: Pick<ConditionalOptions, "pairs" | "threshold" | "minSupport" | "maxLift">,
): PairRule[] {
  return options.pairs.map((spec) => ({
    given: canonicalField(spec.given),
    target: canonicalField(spec.target),
    threshold: spec.threshold ?? options.threshold,
    minSupport: spec.minSupport ?? options.minSupport,
    maxLift: spec.maxLift === undefined ? options.maxLift : spec.maxLift,
  }));
}

/** How a pair is written in messages: `status|ip` reads "status given ip". */
export function pairName(rule: Pick<PairRule, "given" | "target">): string {
  return `${rule.target}|${rule.given}`;
}
