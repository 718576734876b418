import { performance } from "node:perf_hooks";
import {
  ConfigError,
  InputError,
  createScorer,
  emptyStats,
  fitBatches,
  modelToJSON,
  planCounts,
  type LogRecord,
  type InputStats,
  type Model,
  type Pipeline,
  type Rejection,
} from "@oddity/core";
import type { AnomalyFormat } from "../output/anomalies.js";
import { recordIncidentId } from "../output/incidents.js";
import { Ranking } from "../output/ranking.js";
import { openSink } from "../output/sink.js";
import { spoolMemoryLimit } from "../output/spool.js";
import { canSplit, usefulJobs } from "../parallel/pass.js";
import { createWorkerPool, type WorkerPool } from "../parallel/pool.js";
import { buildPipeline } from "../pipeline.js";
import { isClickHouseInput } from "../input/clickhouse.js";
import { displayInputs, type InputSpec } from "../input/open.js";
import {
  firstRejectionOf,
  openPass,
  openRejects,
  requireRecords,
  resolveInputs,
  startSession,
  withRereadableInputs,
  type Session,
} from "./common.js";
import type { RunContext } from "./context.js";
import { failOnExitCode, printRanked, reportFailOn, reportScoringRun } from "./finish-scoring.js";
import type { openEngineScan as OpenEngineScan } from "./engine.js";
import { fitParallel } from "./fit.js";
import type { ScoringCommandOptions } from "./scoring-options.js";
import { createScoringPass } from "./scoring-pass.js";

/** Options of `oddity detect`. */
export interface DetectOptions extends ScoringCommandOptions {
  /** Fit on these instead of the inputs. */
  baseline?: string[] | undefined;
  /** Also write a self-contained HTML report here. */
  report?: string | undefined;
}

/** Default number of anomalies a table shows. */
export const DEFAULT_TABLE_TOP = 20;

/** How many anomalies to print: `--top`, else the config, else 20 for a table and all for data formats. */
export function topLimit({
  top,
  configured,
  format,
}: {
  top: number | undefined;
  configured: number | undefined;
  format: AnomalyFormat;
}): number {
  const n = top ?? configured ?? (format === "table" ? DEFAULT_TABLE_TOP : 0);
  return n === 0 ? Number.POSITIVE_INFINITY : n;
}

// The pipeline this run scores with: the config's, with the command line's --min-score.
function detectPipeline(session: Session, options: DetectOptions): Promise<Pipeline> {
  return buildPipeline({
    config: session.config,
    loader: session.loader,
    scoring: options.minScore === undefined ? {} : { minScore: options.minScore },
  });
}

async function fitPass({
  session,
  inputs,
  options,
  ctx,
  what,
}: {
  session: Session;
  inputs: InputSpec[];
  options: DetectOptions;
  ctx: RunContext;
  what: string;
}): Promise<{ model: Model; stats: InputStats }> {
  const pipeline = await detectPipeline(session, options);
  const { stream, progress } = await openPass({ session, inputs, options, ctx, label: "fitting" });
  const seen: { first: Rejection | null } = { first: null };
  try {
    const result = await fitBatches({ pipeline, batches: firstRejectionOf(stream, seen) });
    for (const warning of stream.warnings) session.reporter.warn(warning);
    requireRecords({ stats: stream.stats, what, firstRejection: seen.first });
    return result;
  } finally {
    progress.stop();
  }
}

// Fits in worker threads, then gives the merged states this run's pipeline (with its command-line
// scoring), exactly as fitting in one pass would have built it.
async function fitInWorkers({
  pool,
  session,
  inputs,
  options,
  ctx,
  what,
}: {
  pool: WorkerPool;
  session: Session;
  inputs: string[];
  options: DetectOptions;
  ctx: RunContext;
  what: string;
}): Promise<{ model: Model; stats: InputStats }> {
  const pipeline = await detectPipeline(session, options);
  const fitted = await fitParallel({ pool, session, inputs, options, ctx, pipeline });
  requireRecords({ stats: fitted.stats, what, firstRejection: fitted.firstRejection });
  return { model: fitted.model, stats: fitted.stats };
}

// A ClickHouse table is fitted where it lives, as `oddity fit` fits it, and only the count rows come back:
// parsed columns by one GROUP BY per declared count; a raw-line column of common or combined lines split
// and counted in the cluster, the lines the SQL does not read parsed here. Null when a detector declares
// no counts, or the lines are of another format: then the records are streamed and observed here.
async function fitInClickHouse({
  session,
  options,
  input,
  ctx,
  what,
}: {
  session: Session;
  options: DetectOptions;
  input: string;
  ctx: RunContext;
  what: string;
}): Promise<{ model: Model; stats: InputStats } | null> {
  const pipeline = await detectPipeline(session, options);
  if (session.database.column !== undefined) {
    const { fitLinesOnClickHouse } = await import("./clickhouse-lines.js");
    const fitted = await fitLinesOnClickHouse({
      pipeline,
      inputs: [input],
      session,
      options,
      env: ctx.env,
      signal: ctx.signal,
    });
    if (fitted === null) return null;
    requireRecords({ stats: fitted.stats, what, firstRejection: fitted.firstRejection });
    return { model: fitted.model, stats: fitted.stats };
  }
  try {
    planCounts(pipeline, "ClickHouse");
  } catch (error) {
    if (error instanceof ConfigError) return null;
    throw error;
  }
  const { fitOnClickHouse } = await import("./engine.js");
  const model = await fitOnClickHouse({
    pipeline,
    inputs: [input],
    table: session.database.table,
    query: session.database.query,
    primaryKey: session.database.primaryKey,
    env: ctx.env,
  });
  const records = model.meta.records;
  const stats: InputStats = { ...emptyStats(), read: records, parsed: records };
  requireRecords({ stats, what, firstRejection: null });
  return { model, stats };
}

type EngineScan = Awaited<ReturnType<typeof OpenEngineScan>>;

// Fits from the declared counts of an engine's scan; lines it hands back are parsed and observed here.
async function fitOnEngine({
  opened,
  session,
  options,
  what,
}: {
  opened: EngineScan;
  session: Session;
  options: DetectOptions;
  what: string;
}): Promise<{ model: Model; stats: InputStats }> {
  const pipeline = await detectPipeline(session, options);
  const fit = await opened.engine.fitScan({ pipeline, scan: opened.scan });
  const first = fit.rejections[0] ?? null;
  if (options.strict === true && first !== null) {
    throw new InputError(`${first.source}:${first.line}: ${first.reason}`);
  }
  for (const warning of opened.read.warnings) session.reporter.warn(warning);
  requireRecords({ stats: fit.stats, what, firstRejection: first });
  return { model: fit.model, stats: fit.stats };
}

/**
 * `oddity detect`: fits the pipeline on the baseline (the inputs themselves unless `--baseline`), scores
 * the inputs and prints the anomalies ranked by score. Returns the exit code: 1 when an anomaly reaches
 * `--fail-on`, else 0.
 */
export async function runDetect(options: DetectOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  const format = options.format ?? "table";
  const session = await startSession({ options, ctx, color: options.color });
  const inputs = resolveInputs({ given: options.inputs, config: session.config, stdin: ctx.stdin });
  const baseline = options.baseline !== undefined && options.baseline.length > 0 ? options.baseline : null;
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const fitInputs = baseline ?? inputs;
  // With an engine, --jobs is its thread count and this thread scores what it streams back.
  const onEngine = options.engine === "duckdb";
  const fitJobs = onEngine ? 1 : await usefulJobs({ inputs: fitInputs, jobs, env: ctx.env });
  const scoreJobs = onEngine ? 1 : await usefulJobs({ inputs, jobs, env: ctx.env });
  const sink = openSink({ output: options.output, stdout: ctx.stdout, env: ctx.env });
  const rejects = openRejects(options.rejects, ctx.stdout);
  // One pool for both passes, started before the work is planned: the workers load oddity while this
  // thread sets up, and the threads that fitted then score. Closed in `finally`.
  const poolSize = Math.max(fitJobs, scoreJobs);
  const pool = poolSize > 1 ? createWorkerPool(poolSize) : null;
  const limit = topLimit({ top: options.top, configured: session.config.scoring.top, format });
  // A table groups every anomaly into incidents and the report lists every one: both rank them all.
  const rankLimit = format === "table" || options.report !== undefined ? Number.POSITIVE_INFINITY : limit;
  const ranking = new Ranking({ limit: rankLimit, memoryLimit: spoolMemoryLimit(ctx.env) });
  // The pool for each pass, or null where it runs in this thread. The HTML report observes every record
  // in this thread, so with --report scoring stays here.
  const fitPool = fitJobs > 1 ? pool : null;
  const scorePool = scoreJobs > 1 && options.report === undefined ? pool : null;
  const scans: EngineScan[] = [];
  try {
    // The inputs are read into the engine once: fitted there from counts, then streamed back to score.
    // A pipeline the engine cannot fit is refused before anything is read.
    if (onEngine) planCounts(await detectPipeline(session, options), "--engine duckdb");
    const { openEngineScan } = onEngine ? await import("./engine.js") : { openEngineScan: null };
    const scored =
      openEngineScan === null
        ? null
        : await openEngineScan({
            session,
            inputs,
            options,
            // Fitted there, or scored there: only the records the model could flag come back, which needs
            // the split fields. The HTML report observes every record, so with it all are streamed.
            countable: baseline === null || options.report === undefined,
            signal: ctx.signal,
          });
    if (scored !== null) scans.push(scored);
    const fitted =
      openEngineScan === null || baseline === null
        ? scored
        : await openEngineScan({
            session,
            inputs: baseline,
            options,
            keepLines: false,
            signal: ctx.signal,
          });
    if (fitted !== null && fitted !== scored) scans.push(fitted);
    const code = await withRereadableInputs({
      inputs: [...inputs, ...(baseline ?? [])],
      stdin: ctx.stdin,
      fn: async (open) => {
        const all = open();
        const scoredInputs = all.slice(0, inputs.length);
        const what = baseline === null ? "the input" : "the baseline";
        if (!onEngine && jobs > 1 && !(canSplit(fitInputs) && canSplit(inputs)))
          session.reporter.warn("--jobs applies to files only; stdin and databases are read in one job");
        const inCluster =
          !onEngine && fitInputs.length === 1 && isClickHouseInput(fitInputs[0])
            ? await fitInClickHouse({ session, options, input: fitInputs[0]!, ctx, what })
            : null;
        const { model, stats: baselineStats } =
          inCluster !== null
            ? inCluster
            : fitted !== null
              ? await fitOnEngine({ opened: fitted, session, options, what })
              : fitPool !== null
                ? await fitInWorkers({ pool: fitPool, session, inputs: fitInputs, options, ctx, what })
                : await fitPass({
                    session,
                    inputs: baseline === null ? scoredInputs : all.slice(inputs.length),
                    options,
                    ctx,
                    what,
                  });
        const score = createScorer(model);
        const report = options.report === undefined ? null : await import("@oddity/report-html");
        const collector = report === null ? null : report.createReportCollector();
        const scoring = createScoringPass({
          session,
          options,
          ctx,
          rejects,
          onAnomaly: (scored) => ranking.add(scored),
          onPiece: (anomalies, lineOffset) => ranking.adopt(anomalies, lineOffset),
        });
        const scoreRecord = (record: LogRecord) => {
          const result = score(record);
          collector?.observe(record, result);
          return result;
        };
        const pass =
          scored !== null
            ? await scoring.fromStream({
                stream: scored.scan.records({
                  format: scored.read.format,
                  warnings: scored.read.warnings,
                  ...(collector === null ? { model } : {}),
                }),
                score: scoreRecord,
              })
            : scorePool !== null
              ? await scoring.inWorkers({
                  inputs,
                  pool: scorePool,
                  task: {
                    kind: "score",
                    model: { json: modelToJSON(model), dir: session.config.dir },
                    minScore: 0,
                    limit: rankLimit,
                    spool: Number.isFinite(rankLimit) ? null : ranking.workerSpool(scorePool.size),
                  },
                })
              : await scoring.here({
                  inputs: baseline === null ? open().slice(0, inputs.length) : scoredInputs,
                  score: scoreRecord,
                  // The HTML report observes every record, so with it every record is read.
                  ...(collector === null ? { model } : {}),
                });
        for (const warning of model.pipeline.warnings) session.reporter.warn(warning);
        const shownInputs = await displayInputs(inputs);
        const printed = await printRanked({
          ranking,
          model,
          pass,
          inputs: shownInputs,
          baselineInputs: baseline === null ? null : await displayInputs(baseline),
          minScore: model.pipeline.scoring.minScore,
          sink,
          format,
          session,
          color: options.color,
          env: ctx.env,
          group: options.group,
          limit,
        });
        if (report !== null && collector !== null) {
          const data = report.buildReport({
            model,
            stats: pass.stats,
            inputs: shownInputs,
            format: pass.inputFormat,
            anomalies: [...ranking.ranked()],
            incidentOf: recordIncidentId,
            collector,
            warnings: [...session.reporter.warnings],
            generatedBy: "oddity",
          });
          await report.writeReport({ data, path: options.report! });
        }
        reportScoringRun({
          session,
          pass,
          shown: printed.shown,
          rows: printed.rows,
          started,
          baseline:
            baseline === null
              ? undefined
              : `${baselineStats.parsed.toLocaleString("en-US")} records from ${baseline.length} input${baseline.length === 1 ? "" : "s"}`,
        });
        reportFailOn({
          failOn: options.failOn,
          record: ranking.best(),
          stderr: ctx.stderr,
          what: "the highest",
        });
        return failOnExitCode({ failOn: options.failOn, highest: pass.highest });
      },
    });
    await sink.close();
    await rejects?.close();
    return code;
  } catch (error) {
    await sink.abort();
    await rejects?.abort();
    throw error;
  } finally {
    for (const opened of scans) opened.scan.close();
    await pool?.close();
    ranking.close();
  }
}
