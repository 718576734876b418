import { clientOptionsSchema } from "@oddity/detector-client";
import { MAX_DISTINCT_LIMIT, z } from "@oddity/core";

/** A path is a target only when at least this many of its clients got nothing but errors. */
export const DEFAULT_MIN_CLIENTS = 10;
/** (path, client) pairs followed exactly; past it a hash-chosen sample of this many is kept. */
export const DEFAULT_MAX_PAIRS = 200_000;

const MIN_CLIENTS_ERROR = "expected a whole number of clients ≥ 1 (e.g. 10)";
const PAIRS_ERROR = `expected a whole number of pairs from 1 to ${MAX_DISTINCT_LIMIT.toLocaleString("en-US")}`;

// The options the client detector has mean the same here: one vocabulary for both.
const shared = clientOptionsSchema.shape;

/** The options schema of the targets detector; the host validates and applies these defaults. */
export const targetsOptionsSchema = z.strictObject({
  key: shared.key,
  path: shared.path.describe("the field a target is judged by (path_template, endpoint, path)"),
  errorStatus: shared.errorStatus,
  threshold: shared.threshold.describe("a path is a target when its tail probability is below this"),
  minClients: z
    .number({ error: MIN_CLIENTS_ERROR })
    .int({ error: MIN_CLIENTS_ERROR })
    .min(1, { error: MIN_CLIENTS_ERROR })
    .max(Number.MAX_SAFE_INTEGER, { error: MIN_CLIENTS_ERROR })
    .default(DEFAULT_MIN_CLIENTS)
    .describe("... and at least this many of its clients got nothing but errors"),
  concentration: shared.concentration.describe(
    "κ of the Beta spread of paths' own shares around the others'; smaller tolerates more",
  ),
  maxBits: shared.maxBits,
  maxClients: shared.maxClients,
  maxPairs: z
    .number({ error: PAIRS_ERROR })
    .int({ error: PAIRS_ERROR })
    .min(1, { error: PAIRS_ERROR })
    .max(MAX_DISTINCT_LIMIT, { error: PAIRS_ERROR })
    .default(DEFAULT_MAX_PAIRS)
    .describe("(path, client) pairs followed; past it a hash-chosen sample of this many"),
});

/** Options as the user writes them (every key optional). */
export type TargetsOptionsInput = z.input<typeof targetsOptionsSchema>;
/** Options after validation and defaults, as the detector receives them. */
export type TargetsOptions = z.output<typeof targetsOptionsSchema>;
