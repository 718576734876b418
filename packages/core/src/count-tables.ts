// The grouped counts of the detector contract (`DetectorHooks.counts` and `foldCounts`): what a detector
// declares and the rows it gets back. A module of their own so that detector.ts need not import
// counted.ts, which plans a pipeline's counts from the detectors and so imports the contract.

/**
 * A numeric field counted by the bin a logarithmic DDSketch puts it in (the `LogarithmicMapping` of
 * `@datadog/sketches-js`): a detector that keeps such a sketch can rebuild it exactly from bin counts.
 */
export interface CountBin {
  /** The numeric field binned (canonical name). */
  field: string;
  /** The sketch's relative accuracy, e.g. 0.001. */
  relativeAccuracy: number;
}

/**
 * One statistic a detector learns, declared as a grouped count: how many baseline records have each
 * combination of values of `fields` (and, with `bin`, each bin of a numeric field). An engine such as
 * DuckDB or ClickHouse computes it where the data lives, and only the count rows come back.
 */
export interface CountSpec {
  /** Unique within the detector; the rows come back to `foldCounts` under it. */
  id: string;
  /**
   * Fields grouped by: record fields, derived fields (`path_template`, `hour` ...) or format extras. Values
   * reach `foldCounts` as `fieldReader(field)` reads them from a record (text, null when absent), derived
   * ones computed by oddity from the distinct raw values the engine returns.
   */
  fields: readonly string[];
  /** A numeric field counted by sketch bin, after the grouped fields. */
  bin?: CountBin;
}

/**
 * Where a number lands in a logarithmic sketch: `sign` 1 with the positive store's `key`, −1 with the
 * negative store's key of |x|, or 0 (key 0) for the zero bin (|x| at most the sketch's smallest value).
 */
export interface BinKey {
  sign: -1 | 0 | 1;
  key: number;
}

/** One row of a grouped count, as `foldCounts` receives it. */
export interface CountRow {
  /** The values of the spec's `fields`, in order. */
  values: ReadonlyArray<string | null>;
  /** With a `bin`: the bin of its field, null when absent or not a number. */
  bin?: BinKey | null;
  /** Baseline records with these values (≥ 1). */
  count: number;
}

/** The rows of every spec a detector declared, by spec id. */
export type CountTables = ReadonlyMap<string, readonly CountRow[]>;
