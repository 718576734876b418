import {
  createFitter,
  emptyStats,
  type Model,
  type InputStats,
  type ModelFile,
  type Pipeline,
} from "@oddity/core";
import { readPiece, sumStats, type PieceOutcome } from "../parallel/outcome.js";
import type { FormattedPiece } from "../parallel/pieces.js";

/** What fitting one shard gives back to the main thread (structured-clone safe). */
export interface ShardResult {
  model: ModelFile;
  /** Per piece: totals, format, warnings and first rejection (line numbers relative to the piece). */
  pieces: PieceOutcome[];
}

/**
 * Fits `pipeline` on the pieces of one shard, in order, as one unprepared model: it is only merged
 * (`mergeShards` prepares the result once).
 */
export async function fitShard({
  pipeline,
  pieces,
  maxLineLength,
  signal,
  onProgress,
}: {
  pipeline: Pipeline;
  pieces: readonly FormattedPiece[];
  maxLineLength?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((stats: InputStats) => void) | undefined;
}): Promise<{ model: Model; pieces: PieceOutcome[] }> {
  const fitter = createFitter(pipeline);
  // Progress counts the shard's finished pieces plus the one being read.
  let done = emptyStats();
  const outcomes: PieceOutcome[] = [];
  for (const piece of pieces) {
    const outcome = await readPiece({
      piece,
      maxLineLength,
      keepRejections: false,
      signal,
      onRecord: (record) => fitter.observe(record),
      onProgress: onProgress === undefined ? undefined : (s) => onProgress(sumStats([done, s])),
    });
    done = sumStats([done, outcome.stats]);
    outcomes.push(outcome);
  }
  return { model: fitter.finish({ prepare: false }), pieces: outcomes };
}
