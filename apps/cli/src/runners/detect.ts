import { performance } from "node:perf_hooks";
import {
  TopRecords,
  createScorer,
  fitBatches,
  modelToJSON,
  prepareModel,
  type InputStats,
  type Model,
  type Rejection,
} from "@oddity/core";
import type { AnomalyFormat } from "../output/anomalies.js";
import { colorEnabled, createPalette } from "../output/color.js";
import { runSummary } from "../output/report.js";
import { summaryJSON, writeRanked } from "../output/results.js";
import { openSink } from "../output/sink.js";
import { canSplit, piecesAnomalies, runParallelPass } from "../parallel/pass.js";
import { planPieces } from "../parallel/pieces.js";
import { buildPipeline } from "../pipeline.js";
import { displayInputs, type InputSpec } from "../input/open.js";
import {
  firstRejectionOf,
  openPass,
  openRejects,
  requireRecords,
  resolveInputs,
  startSession,
  tapBatches,
  warnRejections,
  withRereadableInputs,
  type Session,
} from "./common.js";
import type { InputOptions, RunContext } from "./context.js";
import { fitParallel } from "./fit.js";

/** Options of `oddity detect`. */
export interface DetectOptions extends InputOptions {
  format?: AnomalyFormat | undefined;
  output?: string | undefined;
  /** Anomalies to print; 0 for all. Default: the config's `scoring.top`, else 20 for tables and all otherwise. */
  top?: number | undefined;
  minScore?: number | undefined;
  /** Fit on these instead of the inputs. */
  baseline?: string[] | undefined;
  /** Exit 1 when any anomaly scores at least this many bits. */
  failOn?: number | undefined;
  color?: boolean | undefined;
  /** Also write a self-contained HTML report here. */
  report?: string | undefined;
  /** Worker threads over files, for fitting and scoring; the output is the same as with one. */
  jobs?: number | undefined;
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
  const pipeline = await buildPipeline({
    config: session.config,
    loader: session.loader,
    scoring: options.minScore === undefined ? {} : { minScore: options.minScore },
  });
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
  session,
  inputs,
  options,
  ctx,
  jobs,
  what,
}: {
  session: Session;
  inputs: string[];
  options: DetectOptions;
  ctx: RunContext;
  jobs: number;
  what: string;
}): Promise<{ model: Model; stats: InputStats }> {
  const pipeline = await buildPipeline({
    config: session.config,
    loader: session.loader,
    scoring: options.minScore === undefined ? {} : { minScore: options.minScore },
  });
  const fitted = await fitParallel({ session, inputs, options, ctx, jobs });
  requireRecords({ stats: fitted.stats, what, firstRejection: fitted.firstRejection });
  const model = prepareModel({
    pipeline,
    states: fitted.model.states,
    meta: { ...fitted.model.meta, configHash: pipeline.configHash },
  });
  return { model, stats: fitted.stats };
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
  const inputs = resolveInputs({ given: options.inputs, config: session.config });
  const baseline = options.baseline !== undefined && options.baseline.length > 0 ? options.baseline : null;
  const sink = openSink({ output: options.output, stdout: ctx.stdout, env: ctx.env });
  const rejects = openRejects(options.rejects, ctx.stdout);
  try {
    const code = await withRereadableInputs({
      inputs: [...inputs, ...(baseline ?? [])],
      stdin: ctx.stdin,
      fn: async (open) => {
        const all = open();
        const scoredInputs = all.slice(0, inputs.length);
        const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
        const fitInputs = baseline ?? inputs;
        const what = baseline === null ? "the input" : "the baseline";
        if (jobs > 1 && !(canSplit(fitInputs) && canSplit(inputs)))
          session.reporter.warn("--jobs applies to files only; stdin and databases are read in one job");
        const { model, stats: baselineStats } =
          jobs > 1 && canSplit(fitInputs)
            ? await fitInWorkers({ session, inputs: fitInputs, options, ctx, jobs, what })
            : await fitPass({
                session,
                inputs: baseline === null ? scoredInputs : all.slice(inputs.length),
                options,
                ctx,
                what,
              });
        const limit = topLimit({ top: options.top, configured: session.config.scoring.top, format });
        const top = new TopRecords(limit);
        const score = createScorer(model);
        const report = options.report === undefined ? null : await import("@oddity/report-html");
        const collector = report === null ? null : report.createReportCollector();
        let flagged = 0;
        let highest = Number.NEGATIVE_INFINITY;
        const seen: { first: Rejection | null } = { first: null };
        let stream: { stats: InputStats; format: string | null };
        // The HTML report observes every record in this thread, so with --report scoring stays here.
        if (jobs > 1 && canSplit(inputs) && collector === null) {
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
              model: { json: modelToJSON(model), dir: session.config.dir },
              minScore: 0,
              limit,
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
            for (const scored of piece.anomalies) top.add(scored);
          }
          for (const warning of pass.joined.warnings) session.reporter.warn(warning);
          seen.first = pass.joined.firstRejection;
          stream = pass.joined;
        } else {
          const fresh = baseline === null ? open().slice(0, inputs.length) : scoredInputs;
          const opened = await openPass({
            session,
            inputs: fresh,
            options,
            ctx,
            label: "scoring",
          });
          try {
            for await (const batch of tapBatches({
              stream: opened.stream,
              rejects,
              strict: options.strict === true,
              seen,
            })) {
              for (const record of batch.records) {
                const scored = score(record);
                collector?.observe(record, scored);
                if (scored === null) continue;
                flagged++;
                if (scored.score > highest) highest = scored.score;
                top.add(scored);
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
        const anomalies = top.ranked();
        const shownInputs = await displayInputs(inputs);
        const summary = summaryJSON({
          model,
          stats: stream.stats,
          inputs: shownInputs,
          format: stream.format,
          flagged,
          shown: anomalies.length,
          baselineInputs: baseline === null ? null : await displayInputs(baseline),
          warnings: session.reporter.warnings,
        });
        const palette = createPalette(
          colorEnabled({ isTTY: sink.isTTY, noColor: options.color === false, env: ctx.env }),
        );
        await writeRanked({
          sink,
          format,
          anomalies,
          summary,
          palette,
          minScore: model.pipeline.scoring.minScore,
        });
        if (report !== null && collector !== null) {
          const data = report.buildReport({
            model,
            stats: stream.stats,
            inputs: shownInputs,
            format: stream.format,
            anomalies,
            collector,
            warnings: [...session.reporter.warnings],
            generatedBy: "oddity",
          });
          await report.writeReport({ data, path: options.report! });
        }
        session.reporter.info(
          runSummary({
            stats: stream.stats,
            flagged,
            shown: anomalies.length,
            ms: performance.now() - started,
            palette: session.palette,
            baseline:
              baseline === null
                ? undefined
                : `${baselineStats.parsed.toLocaleString("en-US")} records from ${baseline.length} input${baseline.length === 1 ? "" : "s"}`,
          }).trimEnd(),
        );
        return options.failOn !== undefined && highest >= options.failOn ? 1 : 0;
      },
    });
    await sink.close();
    await rejects?.close();
    return code;
  } catch (error) {
    await sink.abort();
    await rejects?.abort();
    throw error;
  }
}
