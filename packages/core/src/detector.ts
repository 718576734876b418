import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { CountSpec, CountTables } from "./count-tables.js";
import type { ValueCodes } from "./counting/value-codes.js";
import type { Finding } from "./finding.js";
import type { LogRecord } from "./record.js";
import type { Summary } from "./summary.js";

/** The detector API version this core implements; a detector built for another is refused at load. */
export const API_VERSION = 1;

/** Describes a detector: what it is called, what it does, and the options it takes. */
export interface DetectorMeta<Options> {
  /** Short unique name, e.g. `rarity`; also the default instance id. */
  name: string;
  /** One line for `oddity detectors`. */
  description: string;
  /** Must equal {@link API_VERSION}. */
  apiVersion: typeof API_VERSION;
  /**
   * Options schema (zod, valibot or any Standard Schema library). The host validates the user's options
   * against it and applies its defaults before `create` sees them.
   */
  options: StandardSchemaV1<unknown, Options>;
}

/** What the host hands a detector instance besides its options. */
export interface DetectorContext {
  /** The instance id (config `id`, defaulting to the detector name); put it in `Finding.detector`. */
  id: string;
  /**
   * Reports something the user should know (a field where nearly every value is unique ...). Call it from
   * `prepare`: the host clears warnings each time a model is prepared, so they describe the final state.
   */
  warn(message: string): void;
  /**
   * The pipeline's codes of `field` (see `ValueCodes`), shared by every detector of the pipeline: give
   * them to the counters of that field (`new BoundedCounter({ maxDistinct, codes: context.codes(field) })`)
   * and a record's value is looked up once however many counters count it. Private to this pipeline in
   * this thread, so a state's codes never reach a saved model; a counter counts the same without them.
   * A plain function: pass it on as it is.
   */
  readonly codes: (field: string) => ValueCodes;
  /**
   * Reads a field as core's `fieldReader` does, with the pipeline's memo of path templates: a path's
   * template is worked out once for all the detectors that read it, not once per detector and record.
   */
  readonly fieldReader: (name: string) => (record: LogRecord) => string | null;
}

/**
 * The lifecycle of a detector instance. Statistics are learned from a baseline (`observe`), can be
 * combined across shards (`merge`), saved (`toJSON`) and loaded (`fromJSON`), then used to `score` other
 * records. State is owned by the host; hooks must not keep records.
 */
export interface DetectorHooks<State> {
  /** Empty statistics. */
  init(): State;
  /** Learns from one baseline record; mutates and may return nothing. */
  observe(state: State, record: LogRecord): void;
  /** Combines two states; must be associative, so fit-on-shards + merge equals fit-on-all. */
  merge(a: State, b: State): State;
  /**
   * Called once after fitting or loading and before scoring: derive thresholds and caches here. Shards
   * that are only merged are never prepared, so `merge` and `toJSON` must not depend on it.
   */
  prepare?(state: State): void;
  /** The findings for one record (empty when nothing is odd). */
  score(state: State, record: LogRecord): readonly Finding[];
  /** A versioned, JSON-safe form of the state. */
  toJSON(state: State): unknown;
  /** Reads what `toJSON` wrote; must validate it and throw a clear error on anything else. */
  fromJSON(json: unknown): State;
  /** What the state knows, for reports and `profile`-like views. */
  summarize?(state: State): Summary[];
  /**
   * The statistics `observe` learns, declared as grouped counts, so an engine (DuckDB, a ClickHouse
   * cluster) can compute them where the data lives and only the count rows come back. Optional: a
   * detector without it runs wherever records reach Node, and an engine that cannot stream records
   * refuses it with an error naming it. Declare it together with {@link foldCounts}.
   */
  counts?: readonly CountSpec[];
  /**
   * Adds the rows of every spec in {@link counts} (by spec id) to an `init()` state. Folding the counts
   * of a baseline must give the very state observing its records gives (same `toJSON`); the test kit's
   * `checkCountedFit` checks it.
   */
  foldCounts?(state: State, tables: CountTables): void;
  /**
   * The fields that decide `score`'s findings, so an engine can score only the records that may have one:
   * for each set, the findings whose `fields` all lie in it depend on nothing but the record's values of
   * the set (and the state), and every finding lies in some set. An engine groups the scored records by
   * each set, oddity scores one record per distinct combination, and only the records of flagged
   * combinations come back to be scored in full. Optional: without it every record is scored. The test
   * kit's `checkFootprints` checks the promise.
   */
  footprints?: ReadonlyArray<readonly string[]>;
}

/** A detector: metadata plus a factory for configured instances. Made with {@link defineDetector}. */
export interface DetectorDefinition<Options = unknown, State = unknown> {
  meta: DetectorMeta<Options>;
  create(options: Options, context: DetectorContext): DetectorHooks<State>;
}

/** A detector whose option and state types are not known statically (loaded from a plugin). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- erased generics; options are validated at runtime
export type AnyDetectorDefinition = DetectorDefinition<any, any>;

/**
 * Declares a detector. An identity function that pins the types: options are inferred from the schema;
 * declare the state by annotating `create(options, context): DetectorHooks<MyState>` (TypeScript cannot
 * infer it through the returned object).
 */
export function defineDetector<Options, State>(
  definition: DetectorDefinition<Options, State>,
): DetectorDefinition<Options, State> {
  return definition;
}

/** True when `value` has the shape of a detector definition (used on plugin exports). */
export function isDetectorDefinition(value: unknown): value is AnyDetectorDefinition {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { meta?: unknown; create?: unknown };
  if (typeof candidate.create !== "function") return false;
  const meta = candidate.meta as { name?: unknown; options?: unknown } | undefined;
  return typeof meta === "object" && meta !== null && typeof meta.name === "string";
}
