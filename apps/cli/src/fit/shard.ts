import {
  createFitter,
  type Model,
  type FormatSpec,
  type InputStats,
  type ModelFile,
  type Pipeline,
} from "@oddity/core";
import { readPiece, type PieceOutcome } from "../parallel/outcome.js";
import type { Piece } from "./plan.js";

/** A piece with the format to read it in (sniffed once per file, so every piece of it agrees). */
export interface FormattedPiece extends Piece {
  format: FormatSpec;
}

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
  const done: InputStats = { read: 0, parsed: 0, rejected: 0, blank: 0, bytes: 0 };
  const outcomes: PieceOutcome[] = [];
  for (const piece of pieces) {
    const outcome = await readPiece({
      piece,
      maxLineLength,
      keepRejections: false,
      signal,
      onRecord: (record) => fitter.observe(record),
      onProgress:
        onProgress === undefined
          ? undefined
          : (s) =>
              onProgress({
                read: done.read + s.read,
                parsed: done.parsed + s.parsed,
                rejected: done.rejected + s.rejected,
                blank: done.blank + s.blank,
                bytes: done.bytes + s.bytes,
              }),
    });
    for (const key of ["read", "parsed", "rejected", "blank", "bytes"] as const)
      done[key] += outcome.stats[key];
    outcomes.push(outcome);
  }
  return { model: fitter.finish({ prepare: false }), pieces: outcomes };
}
