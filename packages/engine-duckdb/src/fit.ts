import {
  createFitter,
  MAPPABLE_FIELDS,
  fitFromCounts,
  mergeShards,
  planCounts,
  prepareModel,
  type CountPlan,
  type CountQuery,
  type DerivedMapping,
  type InputStats,
  type LogRecord,
  type Model,
  type Pipeline,
  type Rejection,
} from "@oddity/core";
import { fieldsRead, openScan, type DuckDBCounts, type DuckDBScan, type DuckDBScanOptions } from "./scan.js";

/** What `fitWithDuckDB` reads. */
export interface DuckDBFitOptions extends Omit<DuckDBScanOptions, "keepLines" | "countedFields"> {
  pipeline: Pipeline;
}

/** A fitted model and what the reading saw, as `oddity fit` reports it. */
export interface DuckDBFit {
  model: Model;
  stats: InputStats;
  /** Every rejected line, in input order. */
  rejections: Rejection[];
  /** Lines the SQL split could not read, handed to oddity's own parser (parsed or rejected there). */
  handedBack: number;
}

/** What `countLines` reads and counts. */
export interface DuckDBCountOptions extends Omit<DuckDBScanOptions, "keepLines" | "countedFields"> {
  /** The grouped counts to compute (see `countQueryFor`, `planCounts`). */
  queries: readonly CountQuery[];
  /** Derived fields the queries group by (`CountPlan.derived`). */
  derived?: readonly DerivedMapping[];
  /** Receives each record parsed by oddity's parser from a line the SQL split handed back. */
  onRecord: (record: LogRecord) => void;
}

/**
 * Reads the files in DuckDB, splits each line in SQL and computes every query as a GROUP BY over the
 * split lines; only the count rows come back (see {@link DuckDBScan.count}).
 */
export async function countLines({
  queries,
  derived,
  onRecord,
  ...options
}: DuckDBCountOptions): Promise<DuckDBCounts> {
  const scan = await openScan({ ...options, countedFields: fieldsRead({ queries, derived }) });
  try {
    return await scan.count({ queries, derived, onRecord });
  } finally {
    scan.close();
  }
}

/**
 * Fits `pipeline` on an open scan: the detectors' declared counts are computed in DuckDB and folded into
 * them; records of the lines handed back are observed in Node and merged in. So the model equals
 * `oddity fit`'s of the same lines.
 */
export async function fitScan({
  pipeline,
  scan,
  plan = planCounts(pipeline, "--engine duckdb", { derive: MAPPABLE_FIELDS }),
}: {
  pipeline: Pipeline;
  scan: DuckDBScan;
  /** The pipeline's counts as `planCounts` gives them with `{ derive: MAPPABLE_FIELDS }`, when planned already. */
  plan?: CountPlan;
}): Promise<DuckDBFit> {
  const fitter = createFitter(pipeline);
  const counts = await scan.count({
    queries: plan.queries,
    derived: plan.derived,
    onRecord: (record) => fitter.observe(record),
  });
  const counted = fitFromCounts({
    pipeline,
    plan,
    results: counts.results,
    records: counts.records,
    timeRange: counts.timeRange,
    sources: counts.sources,
    prepare: false,
  });
  const rest = fitter.finish({ prepare: false });
  const model = rest.meta.records === 0 ? prepareModel(counted) : mergeShards([counted, rest]);
  return { model, stats: counts.stats, rejections: counts.rejections, handedBack: counts.handedBack };
}

/** Fits `pipeline` in DuckDB (see {@link fitScan}): the model equals `oddity fit`'s of the same lines. */
export async function fitWithDuckDB({ pipeline, ...options }: DuckDBFitOptions): Promise<DuckDBFit> {
  // Refused before anything is read: a detector that declares no counts.
  const plan = planCounts(pipeline, "--engine duckdb", { derive: MAPPABLE_FIELDS });
  const scan = await openScan({ ...options, countedFields: fieldsRead(plan) });
  try {
    return await fitScan({ pipeline, scan, plan });
  } finally {
    scan.close();
  }
}
