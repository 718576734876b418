import { z } from "@oddity/core";

/** Default probability below which a parameter is reported. */
export const DEFAULT_THRESHOLD = 0.01;
/** Default number of baseline values (or requests, for presence) a model needs before it judges. */
export const DEFAULT_MIN_SUPPORT = 100;
/** Default most findings per record: the strongest parameters only. */
export const DEFAULT_MAX_FINDINGS = 2;
/** Default number of path templates modelled; past it, a hash-chosen sample. */
export const DEFAULT_MAX_TEMPLATES = 500;
/** Default number of parameter names modelled per template; past it, a hash-chosen sample. */
export const DEFAULT_MAX_PARAMETERS = 64;
/** Default number of distinct values a parameter may take and still be an enumeration. */
export const DEFAULT_MAX_TOKENS = 16;

function whole(what: string, min: number, max: number) {
  const error = `expected a whole number of ${what} from ${min} to ${max.toLocaleString("en-US")}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const THRESHOLD_ERROR = "expected a probability above 0 and below 1 (e.g. 0.01)";

/** The options schema of the params detector; the host validates and applies these defaults. */
export const paramsOptionsSchema = z.strictObject({
  client: z
    .string({ error: "expected a field name, e.g. ip" })
    .min(1, { error: "expected a field name, e.g. ip" })
    .default("ip")
    .describe(
      "Field that tells clients apart: a character class or name at most 8 clients used is judged without the 3 that sent most of it",
    ),
  threshold: z
    .number({ error: THRESHOLD_ERROR })
    .gt(0, { error: THRESHOLD_ERROR })
    .lt(1, { error: THRESHOLD_ERROR })
    .default(DEFAULT_THRESHOLD)
    .describe("Report a parameter when the probability of what it carries is below this"),
  minSupport: whole("baseline values", 1, 1_000_000)
    .default(DEFAULT_MIN_SUPPORT)
    .describe(
      "Baseline values of a parameter (requests with a query, for which names occur) needed before it is judged",
    ),
  maxFindings: whole("findings", 1, 100)
    .default(DEFAULT_MAX_FINDINGS)
    .describe("Most findings per record; the strongest (lowest probability) are kept"),
  maxTemplates: whole("path templates", 1, 100_000)
    .default(DEFAULT_MAX_TEMPLATES)
    .describe("Path templates with a query string modelled; past it, the ones with the smallest hashes"),
  maxParameters: whole("parameter names", 1, 10_000)
    .default(DEFAULT_MAX_PARAMETERS)
    .describe("Parameter names modelled per template; past it, the ones with the smallest hashes"),
  maxTokens: whole("distinct values", 0, 1_000)
    .default(DEFAULT_MAX_TOKENS)
    .describe(
      "Most distinct values (each at most 64 characters) a parameter takes to count as an enumeration",
    ),
});

/** Options as the user writes them (every key optional). */
export type ParamsOptionsInput = z.input<typeof paramsOptionsSchema>;
/** Options after validation and defaults, as the detector receives them. */
export type ParamsOptions = z.output<typeof paramsOptionsSchema>;
