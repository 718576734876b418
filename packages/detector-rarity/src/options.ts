import { MAX_DISTINCT_LIMIT, canonicalField, z } from "@oddity/core";

/** The fields rarity watches unless told otherwise: the lesson's columns, with paths templated. */
export const DEFAULT_FIELDS = [
  "method",
  "http_version",
  "status",
  "user_agent",
  "ip",
  "path_template",
] as const;
/** Default alert budget: the rarest values covering at most 1% of the baseline are flagged, per field. */
export const DEFAULT_BUDGET = 0.005;
/**
 * Default minimum count: a value seen this many times is a habit of some client (a bot, a monitor, a
 * partner's feed), not an accident, so rarity leaves it to the client detector, which judges habits by
 * behaviour. Measured on a real-tool log: Slackbot (36 requests), curl (40) and an uptime monitor (89)
 * were rarity's whole false-alarm load; planted one-off anomalies repeat a value at most ~20 times.
 */
export const DEFAULT_MIN_COUNT = 20;
/** Default additive-smoothing pseudo-count (Laplace) for values never seen in the baseline. */
export const DEFAULT_SMOOTHING = 1;
/** Default client key: one-off values are attributed to the address that sent them. */
export const DEFAULT_CLIENT = "ip";
/**
 * Default largest share of clients that may produce one-off values while a field stays on past its
 * budget: one-off values from a minority of clients are those clients' doing (crawlers, scanners), not
 * the field's nature.
 */
export const DEFAULT_ONE_OFF_CLIENTS = 0.25;
/** Default number of distinct values per field counted exactly before the tail goes to a sketch. */
export const DEFAULT_MAX_DISTINCT = 10_000;

const BUDGET_ERROR =
  "expected a share of requests above 0 and at most 0.5 (0.01 = 1%), or null to turn the budget off";
const THRESHOLD_ERROR = "expected a probability above 0 and below 1 (e.g. 0.001), or null to turn it off";
const MIN_COUNT_ERROR = "expected a whole number of requests ≥ 1 (e.g. 5), or null to turn it off";
const MAX_DISTINCT_ERROR = `expected a whole number of distinct values from 1 to ${MAX_DISTINCT_LIMIT.toLocaleString("en-US")}`;

const budget = z
  .number({ error: BUDGET_ERROR })
  .gt(0, { error: BUDGET_ERROR })
  .max(0.5, { error: BUDGET_ERROR })
  .nullable();
const threshold = z
  .number({ error: THRESHOLD_ERROR })
  .gt(0, { error: THRESHOLD_ERROR })
  .lt(1, { error: THRESHOLD_ERROR })
  .nullable();
const minCount = z
  .number({ error: MIN_COUNT_ERROR })
  .int({ error: MIN_COUNT_ERROR })
  .min(1, { error: MIN_COUNT_ERROR })
  .max(Number.MAX_SAFE_INTEGER, { error: MIN_COUNT_ERROR })
  .nullable();
const maxDistinct = z
  .number({ error: MAX_DISTINCT_ERROR })
  .int({ error: MAX_DISTINCT_ERROR })
  .min(1, { error: MAX_DISTINCT_ERROR })
  .max(MAX_DISTINCT_LIMIT, { error: MAX_DISTINCT_ERROR });
const ONE_OFF_CLIENTS_ERROR = "expected a share of clients above 0 and at most 1 (0.25 = one client in four)";
const fieldName = z
  .string({ error: "expected a field name, e.g. user_agent" })
  .min(1, { error: "expected a field name, e.g. user_agent" });

/** One field with its own limits; unset keys inherit the top-level ones. */
const fieldOverride = z.strictObject({
  field: fieldName,
  budget: budget.optional(),
  threshold: threshold.optional(),
  minCount: minCount.optional(),
  maxDistinct: maxDistinct.optional(),
});

/** The options schema of the rarity detector; the host validates and applies these defaults. */
export const rarityOptionsSchema = z
  .strictObject({
    fields: z
      .array(
        z.union([fieldName, fieldOverride], {
          error: "expected a field name or { field, budget?, threshold?, minCount?, maxDistinct? }",
        }),
        {
          error: "expected a list of fields",
        },
      )
      .min(1, { error: "expected at least one field" })
      .default([...DEFAULT_FIELDS])
      .describe(
        "fields whose rare values are flagged; an entry may be { field, budget?, threshold?, minCount?, maxDistinct? }",
      ),
    budget: budget
      .default(DEFAULT_BUDGET)
      .describe("share of baseline requests the flagged (rarest) values of a field may cover; null: off"),
    threshold: threshold
      .default(null)
      .describe("also flag any value whose probability is below this; null: off"),
    minCount: minCount
      .default(DEFAULT_MIN_COUNT)
      .describe(
        "flag only values seen fewer times than this: a value seen this often is a client's habit, left to the client detector; null: off (the lesson's recipe)",
      ),
    smoothing: z
      .number({ error: "expected an additive-smoothing pseudo-count above 0 and at most 1 (1 = Laplace)" })
      .gt(0, { error: "expected an additive-smoothing pseudo-count above 0 and at most 1 (1 = Laplace)" })
      .max(1, { error: "expected an additive-smoothing pseudo-count above 0 and at most 1 (1 = Laplace)" })
      .default(DEFAULT_SMOOTHING)
      .describe(
        "additive-smoothing pseudo-count that gives values never seen a small probability (1 = Laplace)",
      ),
    maxDistinct: maxDistinct
      .default(DEFAULT_MAX_DISTINCT)
      .describe("distinct values per field counted exactly; the rarer tail is counted in a sketch"),
    client: z
      .string({ error: "expected the field that names a client (e.g. ip), or null to count requests alone" })
      .min(1, { error: "expected the field that names a client (e.g. ip), or null to count requests alone" })
      .nullable()
      .default(DEFAULT_CLIENT)
      .describe(
        "the field that names a client: one-off values are attributed to clients, so a few clients' one-offs cannot switch a field off; null: count requests alone",
      ),
    oneOffClients: z
      .number({ error: ONE_OFF_CLIENTS_ERROR })
      .gt(0, { error: ONE_OFF_CLIENTS_ERROR })
      .max(1, { error: ONE_OFF_CLIENTS_ERROR })
      .default(DEFAULT_ONE_OFF_CLIENTS)
      .describe(
        "when at most this share of clients produced one-off values, each counts once in the one-off reserve; above it, every request does",
      ),
  })
  .superRefine((options, context) => {
    const seen = new Map<string, number>();
    let reportedTopLevel = false;
    resolveFields(options).forEach((rule, i) => {
      const first = seen.get(rule.field);
      if (first !== undefined) {
        context.addIssue({
          code: "custom",
          path: ["fields", i],
          message: `"${rule.field}" is already watched by fields[${first}]; list each field once`,
        });
      }
      seen.set(rule.field, i);
      if (rule.budget === null && rule.threshold === null && rule.minCount === null) {
        const override = options.fields[i];
        const inherits =
          typeof override === "string" ||
          (override?.budget === undefined &&
            override?.threshold === undefined &&
            override?.minCount === undefined);
        if (inherits && reportedTopLevel) return;
        reportedTopLevel ||= inherits;
        context.addIssue({
          code: "custom",
          path: inherits ? ["budget"] : ["fields", i],
          message:
            "budget, threshold and minCount are all null, so nothing could be flagged; set at least one",
        });
      }
    });
  });

/** Options as the user writes them (every key optional). */
export type RarityOptionsInput = z.input<typeof rarityOptionsSchema>;
/** Options after validation and defaults, as the detector receives them. */
export type RarityOptions = z.output<typeof rarityOptionsSchema>;

/** The limits one field is judged by, with overrides applied and aliases resolved. */
export interface FieldRule {
  /** Canonical field name (`request_method` → `method`). */
  field: string;
  /** Share of baseline requests the flagged values may cover (null: off). */
  budget: number | null;
  /** Flag values with a probability below this (null: off). */
  threshold: number | null;
  /** Flag values seen fewer times than this (null: off). */
  minCount: number | null;
  maxDistinct: number;
}

type FieldsAndLimits = Pick<RarityOptions, "fields" | "budget" | "threshold" | "minCount" | "maxDistinct">;

/** Per-field rules: each field's overrides over the top-level limits. */
export function resolveFields(options: FieldsAndLimits): FieldRule[] {
  return options.fields.map((spec) => {
    const override = typeof spec === "string" ? { field: spec } : spec;
    return {
      field: canonicalField(override.field),
      budget: override.budget === undefined ? options.budget : override.budget,
      threshold: override.threshold === undefined ? options.threshold : override.threshold,
      minCount: override.minCount === undefined ? options.minCount : override.minCount,
      maxDistinct: override.maxDistinct ?? options.maxDistinct,
    };
  });
}
