import { MAX_DISTINCT_LIMIT, canonicalField, z } from "@oddity/core";

/** Who a client is unless told otherwise: its address. */
export const DEFAULT_KEY = "ip";
/** The field whose values count as "paths" for the lonely-path test: templated, so ids do not count. */
export const DEFAULT_PATH_FIELD = "path_template";
/**
 * Statuses counted as errors: 4xx and 5xx, except those that describe the connection, the volume or the
 * server's health rather than what was asked (408 timeout, 429 rate limit, 499 client closed, 502–504
 * gateway and outage); see the README for why not 404 alone.
 */
export const DEFAULT_ERROR_STATUS = { min: 400, max: 599, except: [408, 429, 499, 502, 503, 504] } as const;
/** A client is flagged when a test's tail probability is below this. */
export const DEFAULT_THRESHOLD = 1e-6;
/** ... and it has at least this many odd requests (errors, or requests to lonely paths) in that test. */
export const DEFAULT_MIN_ODD = 10;
/** κ = α + β of the Beta prior on a client's own rate: how far normal clients stray from the others' rate. */
export const DEFAULT_CONCENTRATION = 50;
/** Most bits one finding adds to a record's score. */
export const DEFAULT_MAX_BITS = 40;
/** Clients followed exactly; past it a hash-chosen sample of this many is kept. */
export const DEFAULT_MAX_CLIENTS = 100_000;
/** Paths followed exactly; past it a hash-chosen sample of this many is kept. */
export const DEFAULT_MAX_PATHS = 100_000;

const fieldName = z
  .string({ error: "expected a field name, e.g. ip" })
  .min(1, { error: "expected a field name, e.g. ip" });
const STATUS_ERROR = "expected an HTTP status from 100 to 999";
const status = z
  .number({ error: STATUS_ERROR })
  .int({ error: STATUS_ERROR })
  .min(100, { error: STATUS_ERROR })
  .max(999, { error: STATUS_ERROR });
const THRESHOLD_ERROR = "expected a probability above 0 and below 1 (e.g. 0.000001)";
const MIN_ODD_ERROR = "expected a whole number of requests ≥ 1 (e.g. 10)";
const CONCENTRATION_ERROR = "expected a number above 0 (e.g. 50); larger trusts the population rate more";
const MAX_BITS_ERROR = "expected a number of bits from 1 to 1000 (e.g. 40)";
const cap = (what: string) => {
  const error = `expected a whole number of ${what} from 1 to ${MAX_DISTINCT_LIMIT.toLocaleString("en-US")}`;
  return z.number({ error }).int({ error }).min(1, { error }).max(MAX_DISTINCT_LIMIT, { error });
};

/** The options schema of the client detector; the host validates and applies these defaults. */
export const clientOptionsSchema = z.strictObject({
  key: z
    .union([fieldName, z.array(fieldName).min(1, { error: "expected at least one field" })], {
      error: "expected a field name or a list of field names, e.g. ip or [ip, user_agent]",
    })
    .default(DEFAULT_KEY)
    .describe(
      "the field(s) that identify a client: ip, user_agent (scans over rotating addresses), [ip, user_agent]",
    ),
  path: fieldName
    .default(DEFAULT_PATH_FIELD)
    .describe("the field a probed path is judged by (path_template, endpoint, path)"),
  errorStatus: z
    .strictObject({
      min: status,
      max: status,
      except: z.array(status, { error: "expected a list of statuses, e.g. [429, 499]" }).default([]),
    })
    .refine((range) => range.min <= range.max, { error: "expected min ≤ max" })
    .default({ ...DEFAULT_ERROR_STATUS, except: [...DEFAULT_ERROR_STATUS.except] })
    .describe("statuses counted as errors: min to max inclusive, minus except"),
  threshold: z
    .number({ error: THRESHOLD_ERROR })
    .gt(0, { error: THRESHOLD_ERROR })
    .lt(1, { error: THRESHOLD_ERROR })
    .default(DEFAULT_THRESHOLD)
    .describe("a test flags a client when its tail probability is below this"),
  minOdd: z
    .number({ error: MIN_ODD_ERROR })
    .int({ error: MIN_ODD_ERROR })
    .min(1, { error: MIN_ODD_ERROR })
    .max(Number.MAX_SAFE_INTEGER, { error: MIN_ODD_ERROR })
    .default(DEFAULT_MIN_ODD)
    .describe("... and it has at least this many odd requests (errors, or probed paths)"),
  concentration: z
    .number({ error: CONCENTRATION_ERROR })
    .gt(0, { error: CONCENTRATION_ERROR })
    .max(1e12, { error: CONCENTRATION_ERROR })
    .default(DEFAULT_CONCENTRATION)
    .describe("κ of the Beta spread of clients' own rates around the others'; smaller tolerates more"),
  maxBits: z
    .number({ error: MAX_BITS_ERROR })
    .min(1, { error: MAX_BITS_ERROR })
    .max(1000, { error: MAX_BITS_ERROR })
    .default(DEFAULT_MAX_BITS)
    .describe("most bits (surprisal) one finding adds to a record's score"),
  maxClients: cap("clients")
    .default(DEFAULT_MAX_CLIENTS)
    .describe("clients followed; past it a hash-chosen sample of this many"),
  maxPaths: cap("paths")
    .default(DEFAULT_MAX_PATHS)
    .describe("paths whose clients are followed; past it a hash-chosen sample of this many"),
});

/** Options as the user writes them (every key optional). */
export type ClientOptionsInput = z.input<typeof clientOptionsSchema>;
/** Options after validation and defaults, as the detector receives them. */
export type ClientOptions = z.output<typeof clientOptionsSchema>;

/** The key fields, canonical (`remote_addr` → `ip`), as a list. */
export function keyFields(options: Pick<ClientOptions, "key">): string[] {
  return (typeof options.key === "string" ? [options.key] : options.key).map(canonicalField);
}

/**
 * Whether the options count a status as an error. Statuses outside 0–999 (a parser never yields them, a
 * source might) are not errors.
 */
export function errorPredicate({
  min,
  max,
  except,
}: ClientOptions["errorStatus"]): (status: number | null) => boolean {
  const table = new Uint8Array(1000);
  table.fill(1, min, max + 1);
  for (const status of except) table[status] = 0;
  return (status) => status !== null && table[status] === 1;
}
