import { createReadStream, statSync } from "node:fs";
import path from "node:path";
import {
  InputError,
  UserError,
  parseFormatOption,
  spoolStdin,
  type FormatSpec,
  type InputStats,
  type Model,
  type RecordBatch,
  type Rejection,
} from "@oddity/core";
import { loadConfig } from "../config/load.js";
import type { DatabaseSettings, OddityConfig } from "../config/normalize.js";
import type { InputStream } from "../input/concat.js";
import { openInputs, type InputSpec } from "../input/open.js";
import { colorEnabled, createPalette, type Palette } from "../output/color.js";
import { jsonText } from "../output/json.js";
import { createProgress, type Progress } from "../output/progress.js";
import { createReporter, type Reporter } from "../output/report.js";
import { openSink, type Sink } from "../output/sink.js";
import type { PassTask } from "../parallel/messages.js";
import { runParallelPass, type ParallelPass } from "../parallel/pass.js";
import { planPieces } from "../parallel/pieces.js";
import type { WorkerPool } from "../parallel/pool.js";
import type { PluginLoader } from "../pipeline.js";
import { createPluginLoader } from "../plugins/load.js";
import type { InputOptions, RunContext } from "./context.js";

/** What every log-reading command starts from. */
export interface Session {
  config: OddityConfig;
  loader: PluginLoader;
  reporter: Reporter;
  /** Styles for stderr. */
  palette: Palette;
  format: FormatSpec;
  database: DatabaseSettings;
}

/** Loads the config and settles the input format and database settings (command line over config). */
export async function startSession({
  options,
  ctx,
  color = true,
}: {
  options: Pick<InputOptions, "config" | "logFormat" | "quiet" | "table" | "column" | "query" | "primaryKey">;
  ctx: RunContext;
  color?: boolean | undefined;
}): Promise<Session> {
  const palette = createPalette(
    colorEnabled({ isTTY: (ctx.stderr as { isTTY?: boolean }).isTTY, noColor: !color, env: ctx.env }),
  );
  const reporter = createReporter({ stderr: ctx.stderr, palette, quiet: options.quiet === true });
  const { config, warnings } = await loadConfig({ cwd: ctx.cwd, configPath: options.config });
  for (const warning of warnings) reporter.warn(warning);
  let format = config.format;
  if (options.logFormat !== undefined) {
    const parsed = parseFormatOption(options.logFormat);
    format =
      parsed.fields === undefined && config.format.fields !== undefined
        ? { ...parsed, fields: config.format.fields }
        : parsed;
  }
  const database: DatabaseSettings = { ...config.database };
  if (options.table !== undefined) database.table = options.table;
  if (options.column !== undefined) database.column = options.column;
  if (options.query !== undefined) database.query = options.query;
  if (options.primaryKey !== undefined) database.primaryKey = options.primaryKey;
  return { config, loader: createPluginLoader(), reporter, palette, format, database };
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The inputs to read: the command line's, else the config's `inputs` (relative paths there resolve from
 * the config's folder).
 */
export function resolveInputs({
  given,
  config,
  stdin,
}: {
  given: readonly string[];
  config: OddityConfig;
  /** The process's stdin: read (as `-`) when nothing else names an input and it is not a terminal. */
  stdin?: RunContext["stdin"] | undefined;
}): string[] {
  if (given.length > 0) return [...given];
  if (config.inputs.length > 0) {
    return config.inputs.map((input) =>
      input === "-" || URL_LIKE.test(input) || path.isAbsolute(input) ? input : path.join(config.dir, input),
    );
  }
  // `cat access.log | oddity detect`, as grep and jq read a pipe; a terminal gets the usage hint instead.
  if (stdin !== undefined && (stdin as { isTTY?: boolean }).isTTY !== true) return ["-"];
  throw new UserError(
    `no inputs: name log files (or "-" for stdin, or a database URL), or list them under "inputs" in ${config.file === null ? "an oddity.config.yaml" : config.name}`,
  );
}

/**
 * Runs `fn` with a way to open the inputs as many times as it needs: stdin (`-`) is first copied to a
 * temp file (removed afterwards) so a two-pass command can read it twice.
 */
export async function withRereadableInputs<T>({
  inputs,
  stdin,
  fn,
}: {
  inputs: readonly string[];
  stdin: RunContext["stdin"];
  fn: (open: () => InputSpec[]) => Promise<T>;
}): Promise<T> {
  if (!inputs.includes("-")) return fn(() => [...inputs]);
  const spool = await spoolStdin({ stdin });
  try {
    return await fn(() =>
      inputs.map((input): InputSpec =>
        input === "-" ? { name: "-", stream: createReadStream(spool.path) } : input,
      ),
    );
  } finally {
    await spool.cleanup();
  }
}

/** Total size of the inputs when all are plain files (for a percentage), else null. */
export function totalBytes(inputs: readonly InputSpec[]): number | null {
  let total = 0;
  for (const input of inputs) {
    if (typeof input !== "string" || input === "-") return null;
    try {
      const stat = statSync(input);
      if (!stat.isFile()) return null;
      total += stat.size;
    } catch {
      return null;
    }
  }
  return total;
}

/** One reading pass over the inputs, with its progress bar. */
export async function openPass({
  session,
  inputs,
  options,
  ctx,
  label,
  model,
}: {
  session: Session;
  inputs: readonly InputSpec[];
  options: Pick<InputOptions, "strict" | "quiet" | "maxLineLength">;
  ctx: RunContext;
  label: string;
  /** The model the pass scores against (a ClickHouse table then streams back only candidates). */
  model?: Model | undefined;
}): Promise<{ stream: InputStream; progress: Progress }> {
  const progress = await createProgress({
    stderr: ctx.stderr,
    quiet: options.quiet === true,
    label,
    totalBytes: totalBytes(inputs),
  });
  const stream = await openInputs({
    inputs,
    format: session.format,
    database: session.database,
    signal: ctx.signal,
    stdin: ctx.stdin,
    env: ctx.env,
    onProgress: (stats) => progress.update(stats),
    ...(model === undefined ? {} : { model }),
    ...(options.strict === undefined ? {} : { strict: options.strict }),
    ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
  });
  return { stream, progress };
}

/** One pass over files in the pool's workers, each doing `task` on its pieces, with one progress bar. */
export async function passInWorkers({
  pool,
  session,
  inputs,
  options,
  ctx,
  task,
  label,
}: {
  pool: WorkerPool;
  session: Session;
  inputs: string[];
  options: Pick<InputOptions, "strict" | "quiet" | "maxLineLength" | "rejects">;
  ctx: RunContext;
  task: PassTask;
  label: string;
}): Promise<ParallelPass> {
  const plan = await planPieces({
    inputs,
    jobs: pool.size,
    spec: session.format,
    maxLineLength: options.maxLineLength,
  });
  return runParallelPass({
    pool,
    plan,
    task,
    ctx,
    configFile: session.config.file,
    quiet: options.quiet === true,
    label,
    strict: options.strict === true,
    keepRejections: options.rejects !== undefined,
    maxLineLength: options.maxLineLength,
  });
}

/** Writes rejected lines as NDJSON (`--rejects FILE`), atomically. */
export interface RejectsWriter {
  add(rejections: readonly Rejection[]): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export function openRejects(file: string | undefined, stdout: RunContext["stdout"]): RejectsWriter | null {
  if (file === undefined) return null;
  const sink: Sink = openSink({ output: file, stdout });
  return {
    async add(rejections) {
      for (const r of rejections) {
        await sink.write(
          `${jsonText({ source: r.source, line: r.line, reason: r.reason, excerpt: r.excerpt })}\n`,
        );
      }
    },
    close: () => sink.close(),
    abort: () => sink.abort(),
  };
}

/**
 * Passes batches through, writing their rejections to `--rejects` and enforcing `--strict` for sources
 * that do not enforce it themselves (database tables).
 */
export async function* tapBatches({
  stream,
  rejects,
  strict,
  seen,
}: {
  stream: AsyncIterable<RecordBatch>;
  rejects: RejectsWriter | null;
  strict: boolean;
  /** Receives the first rejection, for the hint after the run. */
  seen?: { first: Rejection | null };
}): AsyncGenerator<RecordBatch> {
  for await (const batch of stream) {
    if (batch.rejections.length > 0) {
      if (seen !== undefined && seen.first === null) seen.first = batch.rejections[0]!;
      if (strict) {
        const first = batch.rejections[0]!;
        throw new InputError(`${first.source}:${first.line}: ${first.reason}`);
      }
      if (rejects !== null) await rejects.add(batch.rejections);
    }
    yield batch;
  }
}

/** After a pass: says how many lines were rejected and why the first was, unless `--rejects` has them all. */
export function warnRejections({
  reporter,
  stats,
  first,
  rejectsFile,
}: {
  reporter: Reporter;
  stats: InputStats;
  first: Rejection | null;
  rejectsFile: string | undefined;
}): void {
  if (stats.rejected === 0 || first === null) return;
  const n = stats.rejected;
  reporter.warn(
    `${n.toLocaleString("en-US")} line${n === 1 ? "" : "s"} rejected; first ${first.source}:${first.line}: ${first.reason}${rejectsFile === undefined ? " (--rejects FILE lists them all)" : ` (all in ${rejectsFile})`}`,
  );
}

/** Throws when nothing could be learned from: an empty or entirely unparsable baseline. */
export function requireRecords({
  stats,
  what,
  firstRejection,
}: {
  stats: InputStats;
  what: string;
  firstRejection: Rejection | null;
}): void {
  if (stats.parsed > 0) return;
  const why =
    stats.read === 0
      ? "it is empty"
      : firstRejection !== null
        ? `none of its ${stats.read} lines parsed (first: ${firstRejection.source}:${firstRejection.line}: ${firstRejection.reason}); check --log-format`
        : `all ${stats.read} lines are blank`;
  throw new InputError(`nothing to learn from: ${what} has no records, ${why}`);
}

/** Remembers the first rejection of a stream, for messages. */
export async function* firstRejectionOf(
  batches: AsyncIterable<RecordBatch>,
  seen: { first: Rejection | null },
): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) {
    if (seen.first === null && batch.rejections.length > 0) seen.first = batch.rejections[0]!;
    yield batch;
  }
}
