import { stat } from "node:fs/promises";
import { InputError, emptyStats, expandInputs } from "@oddity/core";
import { envWholeNumber } from "../env-number.js";
import { createProgress } from "../output/progress.js";
import type { SpoolHandle } from "../output/spool.js";
import type { RunContext } from "../runners/context.js";
import type { PassResult } from "../workers/pass-task.js";
import type { PassTask } from "./messages.js";
import { joinOutcomes, sumStats, type Joined } from "./outcome.js";
import type { FormattedPiece, PiecePlan } from "./pieces.js";
import type { WorkerPool } from "./pool.js";

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** True when `--jobs` can split the inputs: files and globs only (stdin and databases are one stream). */
export function canSplit(inputs: readonly string[]): boolean {
  return inputs.length > 0 && inputs.every((input) => input !== "-" && !URL_LIKE.test(input));
}

/**
 * Bytes of input each job must have before it pays for itself. A worker costs ~0.35 s (its start, its
 * modules, handing its shard over) and two jobs on 2 cores save at most ~30% of one pass, which one job
 * reads at ~70 MB/s: below ~85 MB a second job is a loss (100k lines, 20 MB, ran at 0.63–0.70× of one
 * job). `ODDITY_JOB_MIN_BYTES` overrides it.
 */
export const JOB_MIN_BYTES = 64 * 1024 * 1024;

/**
 * How many of the `jobs` asked for are worth running on `inputs`: 1 for stdin and databases, else one
 * per `JOB_MIN_BYTES` of files, at most `jobs`. Files that cannot be read give 1: one pass reports them.
 */
export async function usefulJobs({
  inputs,
  jobs,
  env,
}: {
  inputs: readonly string[];
  jobs: number;
  env: Record<string, string | undefined>;
}): Promise<number> {
  if (jobs <= 1 || !canSplit(inputs)) return 1;
  const perJob = envWholeNumber({ env, name: "ODDITY_JOB_MIN_BYTES", fallback: JOB_MIN_BYTES });
  try {
    let total = 0;
    for (const file of await expandInputs([...inputs])) total += (await stat(file)).size;
    return perJob === 0 ? jobs : Math.max(1, Math.min(jobs, Math.floor(total / perJob)));
  } catch {
    return 1;
  }
}

/** One pass over the inputs in worker threads, joined as one pass would report it. */
export interface ParallelPass {
  joined: Joined;
  /** Every piece in input order, with its result. */
  pieces: FormattedPiece[];
  results: PassResult[];
}

/**
 * Runs `task` over the planned pieces, one pooled worker per shard, with one progress bar. With `strict`,
 * the first rejected line of the whole input (in input order) fails the run, as in one pass.
 */
export async function runParallelPass({
  pool,
  plan,
  task,
  ctx,
  configFile,
  quiet,
  label,
  strict,
  keepRejections,
  maxLineLength,
}: {
  pool: WorkerPool;
  plan: PiecePlan;
  task: PassTask;
  ctx: RunContext;
  configFile: string | null;
  quiet: boolean;
  label: string;
  strict: boolean;
  keepRejections: boolean;
  maxLineLength?: number | undefined;
}): Promise<ParallelPass> {
  const progress = await createProgress({ stderr: ctx.stderr, quiet, label, totalBytes: plan.totalBytes });
  const latest = plan.shards.map(() => emptyStats());
  let results: PassResult[];
  try {
    results = await Promise.all(
      plan.shards.map((pieces, i) =>
        pool.run<PassResult>({
          index: i,
          task: { kind: "pass", cwd: ctx.cwd, configFile, pieces, maxLineLength, keepRejections, task },
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
  const pieces = plan.shards.flat();
  const joined = joinOutcomes({ pieces, outcomes: results.flatMap((r) => r.pieces), split: plan.split });
  if (strict && joined.firstRejection !== null) {
    const first = joined.firstRejection;
    throw new InputError(`${first.source}:${first.line}: ${first.reason}`);
  }
  return { joined, pieces, results };
}

/**
 * The anomalies of each piece, in input order, with what turns their line numbers (counted from the
 * piece's start) into the file's.
 */
export function piecesAnomalies(
  pass: ParallelPass,
): Array<{ flagged: number; highest: number; anomalies: SpoolHandle; lineOffset: number }> {
  const scores = pass.results.flatMap((r) => r.scores ?? []);
  return scores.map((piece, i) => ({ ...piece, lineOffset: pass.joined.lineOffsets[i]! }));
}
