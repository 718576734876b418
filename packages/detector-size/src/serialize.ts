import { ModelError, z } from "@oddity/core";
import type { DDSketch } from "@datadog/sketches-js";
import type { Distribution } from "./distribution.js";
import type { ResolvedOptions } from "./options.js";
import { addBins, createSketch, keyRange, sketchBins } from "./sketch.js";
import { boundGroups, groupKey, keyHash, trackedGroups, type Group, type SizeState } from "./state.js";

/** Bumped whenever the saved shape changes; older or newer states are refused, not guessed at. */
export const STATE_VERSION = 1;
const STATE_FORMAT = "oddity-size";

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
// z.number() already refuses NaN and ±Infinity (JSON turns them into null anyway).
const finite = z.number();
// Exact values and sketch bins are checked by `pairsOf`: tens of thousands per model, read at every
// load and every worker hand-over, cost many times more through a schema.
const pairs = z.array(z.unknown());

const distributionSchema = z.strictObject({
  count,
  min: finite.nullable(),
  max: finite.nullable(),
  values: pairs.optional(),
  sketch: z.strictObject({ zero: count, positive: pairs, negative: pairs }).optional(),
});

const stateSchema = z.strictObject({
  format: z.literal(STATE_FORMAT),
  version: z.number().int(),
  field: z.string(),
  groupBy: z.array(z.string()),
  relativeAccuracy: finite,
  missing: count,
  evicted: count,
  hashCeiling: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32),
  global: distributionSchema,
  groups: z.array(z.strictObject({ labels: z.array(z.string()), distribution: distributionSchema })),
});

/** `[value, count]` pairs: exact values, or sketch bins `[key, count]`. */
type Pairs = Array<[number, number]>;
interface DistributionJSON {
  count: number;
  min: number | null;
  max: number | null;
  values?: Pairs;
  sketch?: { zero: number; positive: Pairs; negative: Pairs };
}
/** A distribution as the schema lets it through; `pairsOf` checks its pairs. */
type SavedDistribution = z.infer<typeof distributionSchema>;
/** The saved form of a {@link SizeState}. */
export type SizeStateJSON = Omit<z.infer<typeof stateSchema>, "global" | "groups"> & {
  global: DistributionJSON;
  groups: Array<{ labels: string[]; distribution: DistributionJSON }>;
};

function distributionToJSON(d: Distribution): DistributionJSON {
  const json: DistributionJSON = {
    count: d.count,
    min: d.count === 0 ? null : d.min,
    max: d.count === 0 ? null : d.max,
  };
  if (d.exact !== null) {
    json.values = [...d.exact].sort((a, b) => a[0] - b[0]);
  } else {
    const { zero, positive, negative } = sketchBins(d.sketch!);
    json.sketch = { zero, positive, negative };
  }
  return json;
}

/** Versioned, deterministic JSON: groups by key, values and bins ascending; groups cut to the tracked bound. */
export function stateToJSON(state: SizeState, options: ResolvedOptions): SizeStateJSON {
  // Cutting is idempotent and keeps the state valid for further fitting, so the saved form is canonical.
  boundGroups(state, trackedGroups(options));
  const groups = [...state.groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    field: options.field,
    groupBy: options.groupBy,
    relativeAccuracy: options.relativeAccuracy,
    missing: state.missing,
    evicted: state.evicted,
    hashCeiling: state.hashCeiling,
    global: distributionToJSON(state.global),
    groups: groups.map(([, group]) => ({
      labels: group.labels,
      distribution: distributionToJSON(group.distribution),
    })),
  };
}

function invalid(path: string, problem: string): ModelError {
  return new ModelError(`size state${path === "" ? "" : ` at ${path}`}: ${problem}`);
}

function isPositiveCount(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= Number.MAX_SAFE_INTEGER;
}

/**
 * Saved `[number, count]` pairs (exact values or sketch bins); throws at the first that is not one.
 * `wholeKeys` asks for integer first elements (bin keys).
 */
function pairsOf(entries: readonly unknown[], path: string, wholeKeys: boolean): Array<[number, number]> {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!Array.isArray(entry) || entry.length !== 2) throw invalid(`${path}.${i}`, "expected [value, count]");
    const [key, n] = entry as unknown[];
    if (typeof key !== "number" || !Number.isFinite(key) || (wholeKeys && !Number.isInteger(key)))
      throw invalid(`${path}.${i}.0`, wholeKeys ? "expected a whole bin key" : "expected a finite number");
    if (!isPositiveCount(n)) throw invalid(`${path}.${i}.1`, "expected a count of at least 1");
  }
  return entries as Array<[number, number]>;
}

function checkBins(
  bins: ReadonlyArray<readonly [number, number]>,
  range: { min: number; max: number },
  path: string,
): number {
  let total = 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (const [key, n] of bins) {
    if (key <= previous) throw invalid(path, "bin keys must be unique and ascending");
    if (key < range.min || key > range.max)
      throw invalid(path, `bin key ${key} is outside what the sketch can produce`);
    previous = key;
    total += n;
  }
  return total;
}

function distributionFromJSON(json: SavedDistribution, options: ResolvedOptions, path: string): Distribution {
  const { count: n, min, max } = json;
  if ((json.values === undefined) === (json.sketch === undefined)) {
    throw invalid(path, 'expected exactly one of "values" (exact) or "sketch"');
  }
  if (n === 0) {
    if (min !== null || max !== null) throw invalid(path, "an empty distribution has statistics");
  } else if (min === null || max === null || min > max) {
    throw invalid(path, "min and max are inconsistent");
  }
  const distribution: Distribution = {
    count: n,
    min: min ?? Number.POSITIVE_INFINITY,
    max: max ?? Number.NEGATIVE_INFINITY,
    exact: null,
    sketch: null,
  };
  if (json.values !== undefined) {
    if (json.values.length > options.exactLimit) {
      throw invalid(path, `${json.values.length} exact values exceed exactLimit ${options.exactLimit}`);
    }
    const exact = new Map<number, number>();
    let total = 0;
    for (const [value, k] of pairsOf(json.values, `${path}.values`, false)) {
      if (exact.has(value)) throw invalid(path, `value ${value} is listed twice`);
      if (value < distribution.min || value > distribution.max)
        throw invalid(path, `value ${value} is outside min..max`);
      exact.set(value, k);
      total += k;
    }
    if (total !== n) throw invalid(path, `value counts add up to ${total}, not count ${n}`);
    distribution.exact = exact;
    return distribution;
  }
  const { zero } = json.sketch!;
  const positive = pairsOf(json.sketch!.positive, `${path}.sketch.positive`, true);
  const negative = pairsOf(json.sketch!.negative, `${path}.sketch.negative`, true);
  const range = keyRange(options.relativeAccuracy);
  const total =
    zero +
    checkBins(positive, range, `${path}.sketch.positive`) +
    checkBins(negative, range, `${path}.sketch.negative`);
  if (total !== n) throw invalid(path, `sketch counts add up to ${total}, not count ${n}`);
  const sketch: DDSketch = createSketch(options.relativeAccuracy);
  addBins(sketch, { relativeAccuracy: options.relativeAccuracy, zero, positive, negative });
  distribution.sketch = sketch;
  return distribution;
}

/** Reads what {@link stateToJSON} wrote, refusing anything another configuration or a forger produced. */
export function stateFromJSON(json: unknown, options: ResolvedOptions): SizeState {
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.path.join("."), issue.message);
  }
  const data = parsed.data;
  if (data.version !== STATE_VERSION) {
    throw invalid(
      "version",
      `version ${data.version} is not supported (this detector reads ${STATE_VERSION}); refit`,
    );
  }
  if (data.field !== options.field || JSON.stringify(data.groupBy) !== JSON.stringify(options.groupBy)) {
    throw invalid(
      "",
      `fitted for field "${data.field}" by ${JSON.stringify(data.groupBy)}, configured for "${options.field}" by ${JSON.stringify(options.groupBy)}`,
    );
  }
  if (data.relativeAccuracy !== options.relativeAccuracy) {
    throw invalid(
      "relativeAccuracy",
      `sketched with ${data.relativeAccuracy}, configured for ${options.relativeAccuracy}`,
    );
  }
  if (data.groups.length > trackedGroups(options)) {
    throw invalid("groups", `${data.groups.length} groups exceed the ${trackedGroups(options)} tracked`);
  }
  const global = distributionFromJSON(data.global, options, "global");
  const groups = new Map<string, Group>();
  let grouped = 0;
  data.groups.forEach((entry, i) => {
    const path = `groups.${i}`;
    if (entry.labels.length !== options.groupBy.length) {
      throw invalid(`${path}.labels`, `expected ${options.groupBy.length} label(s), one per groupBy field`);
    }
    const key = groupKey(entry.labels);
    if (groups.has(key)) throw invalid(path, "group is listed twice");
    if (keyHash(key) >= data.hashCeiling) throw invalid(path, "group hashes above the saved ceiling");
    const distribution = distributionFromJSON(entry.distribution, options, `${path}.distribution`);
    if (distribution.count === 0) throw invalid(path, "a group cannot be empty");
    grouped += distribution.count;
    groups.set(key, { labels: entry.labels, distribution });
  });
  if (grouped > global.count)
    throw invalid("groups", `groups hold ${grouped} values, more than the ${global.count} seen`);
  return {
    global,
    groups,
    missing: data.missing,
    evicted: data.evicted,
    hashCeiling: data.hashCeiling,
    prepared: null,
  };
}
