import { performance } from "node:perf_hooks";
import {
  InputError,
  emptyStats,
  fitBatches,
  formatCount,
  mergeShards,
  modelFromJSON,
  type InputStats,
  type Model,
  type Pipeline,
  type Rejection,
} from "@oddity/core";
import type { ShardResult } from "../fit/shard.js";
import { isClickHouseInput } from "../input/clickhouse.js";
import { saveModel } from "../model-io.js";
import { createProgress } from "../output/progress.js";
import { runSummary } from "../output/report.js";
import { joinOutcomes, sumStats } from "../parallel/outcome.js";
import { canSplit, usefulJobs } from "../parallel/pass.js";
import { planPieces } from "../parallel/pieces.js";
import { createWorkerPool, type WorkerPool } from "../parallel/pool.js";
import { buildPipeline } from "../pipeline.js";
import {
  firstRejectionOf,
  openPass,
  requireRecords,
  resolveInputs,
  startSession,
  type Session,
} from "./common.js";
import type { InputOptions, RunContext } from "./context.js";

/** Options of `oddity fit`. */
export interface FitOptions extends InputOptions {
  output: string;
  /** Worker threads; each fits a shard (whole files or line-aligned byte ranges), then models merge. */
  jobs?: number | undefined;
  /** Compute the detectors' declared counts in this engine instead of reading records in Node. */
  engine?: "duckdb" | undefined;
  /** With `engine`: the most memory it may hold before it spills (`--memory-limit`, `4GB`). */
  memoryLimit?: string | undefined;
}

/** `oddity fit --engine duckdb`: the declared counts computed in DuckDB with `--jobs` threads. */
async function fitOnDuckDB({
  options,
  session,
  inputs,
  signal,
}: {
  options: FitOptions;
  session: Session;
  inputs: string[];
  signal: AbortSignal;
}): Promise<{ model: Model; stats: InputStats }> {
  const { engineInputs, scanSettings, loadDuckDBEngine } = await import("./engine.js");
  const engine = await loadDuckDBEngine();
  const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
  const read = await engineInputs({
    inputs,
    format: session.format,
    column: session.database.column,
    engine,
  });
  for (const warning of read.warnings) session.reporter.warn(warning);
  const { settings, release } = scanSettings({ read, options, signal });
  const fit = await engine.fitWithDuckDB({ pipeline, ...settings }).finally(release);
  const first = fit.rejections[0] ?? null;
  if (options.strict === true && first !== null) {
    throw new InputError(`${first.source}:${first.line}: ${first.reason}`);
  }
  requireRecords({ stats: fit.stats, what: "the baseline", firstRejection: first });
  return { model: fit.model, stats: fit.stats };
}

/**
 * Fits the inputs in the pool's worker threads (whole files or line-aligned byte ranges) and merges the
 * shard models in input order: the model is the one a single pass gives. Input warnings and the first
 * rejection read as one pass reports them.
 */
export async function fitParallel({
  pool,
  session,
  inputs,
  options,
  ctx,
  pipeline,
}: {
  pool: WorkerPool;
  session: Session;
  inputs: string[];
  options: Pick<InputOptions, "maxLineLength" | "quiet" | "strict">;
  ctx: RunContext;
  /** The pipeline the merged model gets (detect's carries its command-line scoring); else the config's. */
  pipeline?: Pipeline | undefined;
}): Promise<{ model: Model; stats: InputStats; firstRejection: Rejection | null }> {
  const plan = await planPieces({
    inputs,
    jobs: pool.size,
    spec: session.format,
    maxLineLength: options.maxLineLength,
  });
  const progress = await createProgress({
    stderr: ctx.stderr,
    quiet: options.quiet === true,
    label: "fitting",
    totalBytes: plan.totalBytes,
  });
  const latest: InputStats[] = plan.shards.map(() => emptyStats());
  const load = (result: ShardResult) =>
    modelFromJSON({
      json: result.model,
      where: "fit worker",
      prepare: false,
      resolve: (use) =>
        session.loader(use, { where: `${session.config.name}: detector "${use}"`, dir: session.config.dir }),
    });
  let loaded: Array<{ result: ShardResult; shard: Model }>;
  try {
    loaded = await Promise.all(
      plan.shards.map((pieces, i) =>
        pool
          .run<ShardResult>({
            index: i,
            task: {
              kind: "fit",
              cwd: ctx.cwd,
              configFile: session.config.file,
              pieces,
              ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
            },
            signal: ctx.signal,
            onProgress: (stats) => {
              latest[i] = stats;
              progress.update(sumStats(latest));
            },
          })
          // Each shard loads as soon as it arrives, while the other workers are still counting.
          .then(async (result) => ({ result, shard: await load(result) })),
      ),
    );
  } finally {
    progress.stop();
  }
  const results = loaded.map((l) => l.result);
  const joined = joinOutcomes({
    pieces: plan.shards.flat(),
    outcomes: results.flatMap((r) => r.pieces),
    split: plan.split,
  });
  if (options.strict === true && joined.firstRejection !== null) {
    const first = joined.firstRejection;
    throw new InputError(`${first.source}:${first.line}: ${first.reason}`);
  }
  // Given the run's pipeline before merging, the model is prepared once, by the detectors that score.
  const model = mergeShards(
    loaded.map(({ shard }) =>
      pipeline === undefined
        ? shard
        : { pipeline, states: shard.states, meta: { ...shard.meta, configHash: pipeline.configHash } },
    ),
  );
  for (const warning of joined.warnings) session.reporter.warn(warning);
  return { model, stats: joined.stats, firstRejection: joined.firstRejection };
}

/**
 * `oddity fit`: learns a model from baseline logs and saves it atomically. With `--jobs N` the inputs
 * are fitted in N worker threads and the models merged; the result is byte-identical to one job.
 */
export async function runFit(options: FitOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  const session = await startSession({ options, ctx });
  const inputs = resolveInputs({ given: options.inputs, config: session.config, stdin: ctx.stdin });
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  // A table of parsed requests is counted in ClickHouse, and so is a raw-line column of common or combined
  // lines, split there; other lines are read as records below.
  if (session.database.column !== undefined && inputs.some(isClickHouseInput)) {
    const { fitLinesOnClickHouse } = await import("./clickhouse-lines.js");
    const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
    const fitted = await fitLinesOnClickHouse({
      pipeline,
      inputs,
      session,
      options,
      env: ctx.env,
      signal: ctx.signal,
    });
    if (fitted !== null) {
      requireRecords({ stats: fitted.stats, what: "the baseline", firstRejection: fitted.firstRejection });
      return finishFit({ model: fitted.model, stats: fitted.stats, options, session, started });
    }
  }
  if (session.database.column === undefined && inputs.some(isClickHouseInput)) {
    const { fitOnClickHouse } = await import("./engine.js");
    const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
    const model = await fitOnClickHouse({
      pipeline,
      inputs,
      table: session.database.table,
      query: session.database.query,
      primaryKey: session.database.primaryKey,
      env: ctx.env,
    });
    const stats = { ...emptyStats(), read: model.meta.records, parsed: model.meta.records };
    return finishFit({ model, stats, options, session, started });
  }
  if (options.engine === "duckdb") {
    const { model, stats } = await fitOnDuckDB({ options, session, inputs, signal: ctx.signal });
    return finishFit({ model, stats, options, session, started });
  }
  if (jobs > 1 && !canSplit(inputs))
    session.reporter.warn("--jobs applies to files only; stdin and databases are fitted in one job");
  const useful = await usefulJobs({ inputs, jobs, env: ctx.env });
  let model: Model;
  let stats: InputStats;
  if (useful > 1) {
    const pool = createWorkerPool(useful);
    try {
      const result = await fitParallel({ pool, session, inputs, options, ctx });
      model = result.model;
      stats = result.stats;
      requireRecords({ stats, what: "the baseline", firstRejection: result.firstRejection });
    } finally {
      await pool.close();
    }
  } else {
    const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
    const { stream, progress } = await openPass({ session, inputs, options, ctx, label: "fitting" });
    const seen: { first: Rejection | null } = { first: null };
    try {
      ({ model, stats } = await fitBatches({ pipeline, batches: firstRejectionOf(stream, seen) }));
    } finally {
      progress.stop();
    }
    for (const warning of stream.warnings) session.reporter.warn(warning);
    requireRecords({ stats: stream.stats, what: "the baseline", firstRejection: seen.first });
  }
  return finishFit({ model, stats, options, session, started });
}

async function finishFit({
  model,
  stats,
  options,
  session,
  started,
}: {
  model: Model;
  stats: InputStats;
  options: FitOptions;
  session: Session;
  started: number;
}): Promise<number> {
  for (const warning of model.pipeline.warnings) session.reporter.warn(warning);
  await saveModel({ model, file: options.output });
  session.reporter.info(
    `${runSummary({ stats, ms: performance.now() - started, palette: session.palette }).trimEnd()}; model of ${formatCount(model.meta.records)} records written to ${options.output}`,
  );
  return 0;
}
