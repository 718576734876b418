import { performance } from "node:perf_hooks";
import { TopRecords, UserError, createScorer, type InputStats, type Rejection } from "@oddity/core";
import { ANOMALY_CSV_HEADER, anomalyCsv, anomalyNdjson, type AnomalyFormat } from "../output/anomalies.js";
import { colorEnabled, createPalette } from "../output/color.js";
import { runSummary } from "../output/report.js";
import { summaryJSON, writeRanked } from "../output/results.js";
import { openSink } from "../output/sink.js";
import { displayInputs } from "../input/open.js";
import { loadModel } from "../model-io.js";
import { canSplit, piecesAnomalies, runParallelPass } from "../parallel/pass.js";
import { planPieces } from "../parallel/pieces.js";
import { openPass, openRejects, resolveInputs, startSession, tapBatches, warnRejections } from "./common.js";
import type { InputOptions, RunContext } from "./context.js";
import { topLimit } from "./detect.js";

/** Options of `oddity score`. */
export interface ScoreOptions extends InputOptions {
  model: string;
  format?: AnomalyFormat | undefined;
  output?: string | undefined;
  top?: number | undefined;
  minScore?: number | undefined;
  failOn?: number | undefined;
  color?: boolean | undefined;
  /** Worker threads over files; the output is the same as with one. */
  jobs?: number | undefined;
}

/**
 * `oddity score`: scores the inputs against a saved model in one streaming pass. NDJSON and CSV print
 * each anomaly the moment its line is read (in input order, so `tail -F | oddity score -` alerts live);
 * table and JSON rank at the end.
 */
export async function runScore(options: ScoreOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  const format = options.format ?? "table";
  const session = await startSession({ options, ctx, color: options.color });
  const inputs = resolveInputs({ given: options.inputs, config: session.config });
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
  const top = new TopRecords(limit);
  let flagged = 0;
  let highest = Number.NEGATIVE_INFINITY;
  try {
    if (format === "csv") await sink.write(ANOMALY_CSV_HEADER);
    const seen: { first: Rejection | null } = { first: null };
    const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
    let stream: { stats: InputStats; format: string | null };
    if (jobs > 1 && canSplit(inputs)) {
      const plan = await planPieces({
        inputs,
        jobs,
        spec: session.format,
        maxLineLength: options.maxLineLength,
      });
      const pass = await runParallelPass({
        plan,
        task: {
          kind: "score",
          model: { file: options.model },
          minScore,
          limit: streaming ? Number.POSITIVE_INFINITY : limit,
        },
        ctx,
        configFile: session.config.file,
        quiet: options.quiet === true,
        label: "scoring",
        strict: options.strict === true,
        keepRejections: options.rejects !== undefined,
        maxLineLength: options.maxLineLength,
      });
      if (rejects !== null) await rejects.add(pass.joined.rejections);
      for (const piece of piecesAnomalies(pass)) {
        flagged += piece.flagged;
        if (piece.highest > highest) highest = piece.highest;
        for (const scored of piece.anomalies) {
          if (streaming) await sink.write(format === "csv" ? anomalyCsv(scored) : anomalyNdjson(scored));
          else top.add(scored);
        }
      }
      for (const warning of pass.joined.warnings) session.reporter.warn(warning);
      seen.first = pass.joined.firstRejection;
      stream = pass.joined;
    } else {
      if (jobs > 1)
        session.reporter.warn("--jobs applies to files only; stdin and databases are read in one job");
      const opened = await openPass({ session, inputs, options, ctx, label: "scoring" });
      try {
        for await (const batch of tapBatches({
          stream: opened.stream,
          rejects,
          strict: options.strict === true,
          seen,
        })) {
          for (const record of batch.records) {
            const scored = score(record);
            if (scored === null || scored.score < minScore) continue;
            flagged++;
            if (scored.score > highest) highest = scored.score;
            if (streaming) await sink.write(format === "csv" ? anomalyCsv(scored) : anomalyNdjson(scored));
            else top.add(scored);
          }
        }
      } finally {
        opened.progress.stop();
      }
      for (const warning of opened.stream.warnings) session.reporter.warn(warning);
      stream = opened.stream;
    }
    warnRejections({
      reporter: session.reporter,
      stats: stream.stats,
      first: seen.first,
      rejectsFile: options.rejects,
    });
    for (const warning of model.pipeline.warnings) session.reporter.warn(warning);
    const anomalies = streaming ? [] : top.ranked();
    if (!streaming) {
      const summary = summaryJSON({
        model,
        stats: stream.stats,
        inputs: await displayInputs(inputs),
        format: stream.format,
        flagged,
        shown: anomalies.length,
        baselineInputs: null,
        warnings: session.reporter.warnings,
      });
      const palette = createPalette(
        colorEnabled({ isTTY: sink.isTTY, noColor: options.color === false, env: ctx.env }),
      );
      await writeRanked({ sink, format, anomalies, summary, palette, minScore });
    }
    await sink.close();
    await rejects?.close();
    session.reporter.info(
      runSummary({
        stats: stream.stats,
        flagged,
        shown: streaming ? flagged : anomalies.length,
        ms: performance.now() - started,
        palette: session.palette,
        baseline: `${model.meta.records.toLocaleString("en-US")} records (${options.model})`,
      }).trimEnd(),
    );
    return options.failOn !== undefined && highest >= options.failOn ? 1 : 0;
  } catch (error) {
    await sink.abort();
    await rejects?.abort();
    throw error;
  }
}
