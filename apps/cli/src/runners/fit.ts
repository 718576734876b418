import { open as openFile, stat } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import {
  InputError,
  UserError,
  emptyStats,
  expandInputs,
  fitBatches,
  formatCount,
  mergeModels,
  modelFromJSON,
  sniffFormat,
  type FormatSpec,
  type InputStats,
  type Model,
  type Rejection,
} from "@oddity/core";
import { alignPieces } from "../fit/align.js";
import { planShards, type PlanFile } from "../fit/plan.js";
import type { FormattedPiece, ShardResult } from "../fit/shard.js";
import { saveModel } from "../model-io.js";
import { createProgress } from "../output/progress.js";
import { runSummary } from "../output/report.js";
import { buildPipeline } from "../pipeline.js";
import type { FitWorkerData, FitWorkerMessage } from "../workers/fit-worker.js";
import {
  firstRejectionOf,
  openPass,
  requireRecords,
  resolveInputs,
  startSession,
  sumStats,
  type Session,
} from "./common.js";
import type { InputOptions, RunContext } from "./context.js";

/** Options of `oddity fit`. */
export interface FitOptions extends InputOptions {
  output: string;
  /** Worker threads; each fits a shard (whole files or line-aligned byte ranges), then models merge. */
  jobs?: number | undefined;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 50;

async function isGzip(path: string): Promise<boolean> {
  const handle = await openFile(path, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

// A file cut into byte ranges is sniffed once here, so all its pieces parse alike.
async function sniffFile(path: string): Promise<FormatSpec> {
  const handle = await openFile(path, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    const lines = buffer
      .subarray(0, bytesRead)
      .toString("utf8")
      .split(/\r?\n/)
      .slice(0, -1)
      .filter((line) => line.trim() !== "")
      .slice(0, SNIFF_LINES);
    return sniffFormat({ lines }).spec;
  } finally {
    await handle.close();
  }
}

function runWorker({
  data,
  signal,
  onProgress,
}: {
  data: FitWorkerData;
  signal: AbortSignal;
  onProgress: (stats: InputStats) => void;
}): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./fit-worker.js", import.meta.url), { workerData: data });
    const stop = () => void worker.terminate();
    signal.addEventListener("abort", stop, { once: true });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", stop);
      fn();
    };
    worker.on("message", (message: FitWorkerMessage) => {
      if (message.type === "progress") onProgress(message.stats);
      else if (message.type === "done") settle(() => resolve(message.result));
      else {
        settle(() => {
          if (message.user) reject(new UserError(message.message));
          else reject(Object.assign(new Error(message.message), { stack: message.stack }));
        });
        void worker.terminate();
      }
    });
    worker.on("error", (error) => settle(() => reject(error)));
    worker.on("exit", (code) =>
      settle(() =>
        reject(
          signal.aborted && signal.reason instanceof Error
            ? signal.reason
            : new Error(`fit worker stopped with exit code ${code}`),
        ),
      ),
    );
  });
}

function strictCheck(shards: readonly FormattedPiece[][], results: readonly ShardResult[]): void {
  // Pieces count lines from their own start; add the lines of earlier pieces of the same file.
  const linesBefore = new Map<string, number>();
  shards.forEach((shard, s) =>
    shard.forEach((piece, p) => {
      const { read, firstRejection } = results[s]!.pieces[p]!;
      const offset = linesBefore.get(piece.path) ?? 0;
      if (firstRejection !== null) {
        throw new InputError(`${piece.path}:${offset + firstRejection.line}: ${firstRejection.reason}`);
      }
      linesBefore.set(piece.path, offset + read);
    }),
  );
}

async function fitParallel({
  session,
  inputs,
  options,
  ctx,
  jobs,
}: {
  session: Session;
  inputs: string[];
  options: FitOptions;
  ctx: RunContext;
  jobs: number;
}): Promise<{ model: Model; stats: InputStats; firstRejection: Rejection | null }> {
  const files = await expandInputs(inputs);
  const planned: PlanFile[] = [];
  for (const path of files) {
    const info = await stat(path).catch(() => null);
    if (info === null) throw new InputError(`${path}: no such file`);
    if (!info.isFile()) throw new InputError(`${path}: not a regular file`);
    planned.push({ path, size: info.size, splittable: !(await isGzip(path)) });
  }
  const shards = await alignPieces(planShards({ files: planned, jobs }));
  const sniffed = new Map<string, FormatSpec>();
  const formatted: FormattedPiece[][] = [];
  for (const shard of shards) {
    const pieces: FormattedPiece[] = [];
    for (const piece of shard) {
      let format = session.format;
      if (format.name === "auto" && piece.start !== undefined) {
        if (!sniffed.has(piece.path)) sniffed.set(piece.path, await sniffFile(piece.path));
        format = sniffed.get(piece.path)!;
      }
      pieces.push({ ...piece, format });
    }
    formatted.push(pieces);
  }
  const total = planned.reduce((sum, f) => sum + f.size, 0);
  const progress = await createProgress({
    stderr: ctx.stderr,
    quiet: options.quiet === true,
    label: "fitting",
    totalBytes: total,
  });
  const latest: InputStats[] = formatted.map(() => emptyStats());
  let results: ShardResult[];
  try {
    results = await Promise.all(
      formatted.map((pieces, i) =>
        runWorker({
          data: {
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
        }),
      ),
    );
  } finally {
    progress.stop();
  }
  if (options.strict === true) strictCheck(formatted, results);
  let model: Model | null = null;
  let firstRejection: Rejection | null = null;
  for (const result of results) {
    const shard = await modelFromJSON({
      json: result.model,
      where: "fit worker",
      resolve: (use) =>
        session.loader(use, { where: `${session.config.name}: detector "${use}"`, dir: session.config.dir }),
    });
    model = model === null ? shard : mergeModels(model, shard);
    firstRejection ??= result.pieces.find((p) => p.firstRejection !== null)?.firstRejection ?? null;
    for (const warning of result.warnings) session.reporter.warn(warning);
  }
  return { model: model!, stats: sumStats(results.map((r) => r.stats)), firstRejection };
}

/**
 * `oddity fit`: learns a model from baseline logs and saves it atomically. With `--jobs N` the inputs
 * are fitted in N worker threads and the models merged; the result is byte-identical to one job.
 */
export async function runFit(options: FitOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  const session = await startSession({ options, ctx });
  const inputs = resolveInputs({ given: options.inputs, config: session.config });
  const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const parallel = jobs > 1 && inputs.every((input) => input !== "-" && !URL_LIKE.test(input));
  if (jobs > 1 && !parallel)
    session.reporter.warn("--jobs applies to files only; stdin and databases are fitted in one job");
  let model: Model;
  let stats: InputStats;
  if (parallel) {
    const result = await fitParallel({ session, inputs, options, ctx, jobs });
    model = result.model;
    stats = result.stats;
    requireRecords({ stats, what: "the baseline", firstRejection: result.firstRejection });
  } else {
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
  for (const warning of model.pipeline.warnings) session.reporter.warn(warning);
  await saveModel({ model, file: options.output });
  session.reporter.info(
    `${runSummary({ stats, ms: performance.now() - started, palette: session.palette }).trimEnd()}; model of ${formatCount(model.meta.records)} records written to ${options.output}`,
  );
  return 0;
}
