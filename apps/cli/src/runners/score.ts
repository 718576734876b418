import { performance } from "node:perf_hooks";
import { UserError, createScorer, type LogRecord, type ScoredRecord } from "@oddity/core";
import { ANOMALY_CSV_HEADER, anomalyCsv, anomalyNdjson } from "../output/anomalies.js";
import { Ranking } from "../output/ranking.js";
import { openSink } from "../output/sink.js";
import { spoolMemoryLimit } from "../output/spool.js";
import { displayInputs } from "../input/open.js";
import { loadModel } from "../model-io.js";
import { canSplit, usefulJobs } from "../parallel/pass.js";
import { createWorkerPool, type WorkerPool } from "../parallel/pool.js";
import { openRejects, resolveInputs, startSession, type Session } from "./common.js";
import type { RunContext } from "./context.js";
import type { openEngineScan as OpenEngineScan } from "./engine.js";
import { topLimit } from "./detect.js";
import { failOnExitCode, printRanked, reportFailOn, reportScoringRun } from "./finish-scoring.js";
import type { ScoringCommandOptions } from "./scoring-options.js";
import { createScoringPass, type OnAnomaly } from "./scoring-pass.js";

/** Options of `oddity score`. */
export interface ScoreOptions extends ScoringCommandOptions {
  model: string;
}

/**
 * `oddity score`: scores the inputs against a saved model in one streaming pass. NDJSON and CSV print
 * each anomaly the moment its line is read (in input order, so `tail -F | oddity score -` alerts live);
 * table and JSON rank at the end.
 */
export async function runScore(options: ScoreOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  const session = await startSession({ options, ctx, color: options.color });
  const inputs = resolveInputs({ given: options.inputs, config: session.config, stdin: ctx.stdin });
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const onEngine = options.engine === "duckdb";
  if (!onEngine && jobs > 1 && !canSplit(inputs))
    session.reporter.warn("--jobs applies to files only; stdin and databases are read in one job");
  // With an engine, --jobs is its thread count and this thread scores what it streams back.
  const useful = onEngine ? 1 : await usefulJobs({ inputs, jobs, env: ctx.env });
  // Started first: the workers load oddity while this thread loads the model.
  const pool = useful > 1 ? createWorkerPool(useful) : null;
  try {
    return await scoreWith({ options, ctx, session, inputs, pool, started });
  } finally {
    await pool?.close();
  }
}

async function scoreWith({
  options,
  ctx,
  session,
  inputs,
  pool,
  started,
}: {
  options: ScoreOptions;
  ctx: RunContext;
  session: Session;
  inputs: string[];
  pool: WorkerPool | null;
  started: number;
}): Promise<number> {
  const format = options.format ?? "table";
  const model = await loadModel({
    file: options.model,
    loader: session.loader,
    config: session.config,
  });
  if (options.minScore !== undefined && options.minScore < 0)
    throw new UserError("--min-score must be ≥ 0 bits");
  const minScore = Math.max(options.minScore ?? 0, model.pipeline.scoring.minScore);
  const streaming = format === "ndjson" || format === "csv";
  const sink = openSink({ output: options.output, stdout: ctx.stdout, env: ctx.env });
  const rejects = openRejects(options.rejects, ctx.stdout);
  const score = createScorer(model);
  const limit = topLimit({ top: options.top, configured: session.config.scoring.top, format });
  // A table groups every anomaly into incidents, so it ranks them all.
  const rankLimit = format === "table" ? Number.POSITIVE_INFINITY : limit;
  const ranking = new Ranking({ limit: rankLimit, memoryLimit: spoolMemoryLimit(ctx.env) });
  let opened: Awaited<ReturnType<typeof OpenEngineScan>> | null = null;
  // Streamed anomalies come in input order: the first to reach --fail-on is the one named.
  let crossed: ScoredRecord | undefined;
  const onAnomaly: OnAnomaly = streaming
    ? (scored) => {
        if (crossed === undefined && options.failOn !== undefined && scored.score >= options.failOn)
          crossed = scored;
        return sink.write(format === "csv" ? anomalyCsv(scored) : anomalyNdjson(scored));
      }
    : (scored) => ranking.add(scored);
  try {
    if (format === "csv") await sink.write(ANOMALY_CSV_HEADER);
    const scoring = createScoringPass({
      session,
      options,
      ctx,
      rejects,
      onAnomaly,
      // Streamed formats print each piece's anomalies in input order; the others rank them all.
      onPiece: streaming ? undefined : (anomalies, lineOffset) => ranking.adopt(anomalies, lineOffset),
    });
    const keepsAll = streaming || !Number.isFinite(rankLimit);
    const scoreRecord = (record: LogRecord) => {
      const scored = score(record);
      return scored === null || scored.score < minScore ? null : scored;
    };
    if (options.engine === "duckdb") {
      const { openEngineScan } = await import("./engine.js");
      // Only the records the model could flag come back (the split fields select them).
      opened = await openEngineScan({
        session,
        inputs,
        options,
        countable: true,
        signal: ctx.signal,
      });
    }
    const pass =
      opened !== null
        ? await scoring.fromStream({
            stream: opened.scan.records({
              format: opened.read.format,
              warnings: opened.read.warnings,
              model,
            }),
            score: scoreRecord,
          })
        : pool !== null
          ? await scoring.inWorkers({
              inputs,
              pool,
              task: {
                kind: "score",
                model: { file: options.model },
                minScore,
                limit: streaming ? Number.POSITIVE_INFINITY : rankLimit,
                spool: keepsAll ? ranking.workerSpool(pool.size) : null,
              },
            })
          : await scoring.here({ inputs, score: scoreRecord, model });
    for (const warning of model.pipeline.warnings) session.reporter.warn(warning);
    let printed: { shown: number; rows: string | undefined } = { shown: pass.flagged, rows: undefined };
    if (!streaming) {
      printed = await printRanked({
        ranking,
        model,
        pass,
        inputs: await displayInputs(inputs),
        baselineInputs: null,
        minScore,
        sink,
        format,
        session,
        color: options.color,
        env: ctx.env,
        group: options.group,
        limit,
      });
    }
    await sink.close();
    await rejects?.close();
    reportScoringRun({
      session,
      pass,
      shown: printed.shown,
      rows: printed.rows,
      started,
      baseline: `${model.meta.records.toLocaleString("en-US")} records (${options.model})`,
    });
    reportFailOn({
      failOn: options.failOn,
      record: streaming ? crossed : ranking.best(),
      stderr: ctx.stderr,
      what: streaming ? "the first" : "the highest",
    });
    return failOnExitCode({ failOn: options.failOn, highest: pass.highest });
  } catch (error) {
    await sink.abort();
    await rejects?.abort();
    throw error;
  } finally {
    opened?.scan.close();
    ranking.close();
  }
}
