import { createReadStream } from "node:fs";
import {
  addBatch,
  createFitter,
  emptyStats,
  modelToJSON,
  readInputs,
  type FormatSpec,
  type InputStats,
  type ModelFile,
  type Pipeline,
  type Rejection,
} from "@oddity/core";
import type { Piece } from "./plan.js";

/** A piece with the format to read it in (sniffed once per file, so every piece of it agrees). */
export interface FormattedPiece extends Piece {
  format: FormatSpec;
}

/** What fitting one shard gives back to the main thread (structured-clone safe). */
export interface ShardResult {
  model: ModelFile;
  stats: InputStats;
  /** Per piece: lines read, and its first rejection with a line number relative to the piece. */
  pieces: Array<{ read: number; firstRejection: Rejection | null }>;
  warnings: string[];
}

/** Fits `pipeline` on the pieces of one shard, in order, as one model. */
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
}): Promise<ShardResult> {
  const fitter = createFitter(pipeline);
  const stats = emptyStats();
  const results: ShardResult["pieces"] = [];
  const warnings: string[] = [];
  for (const piece of pieces) {
    const input =
      piece.start === undefined
        ? piece.path
        : {
            name: piece.path,
            stream: createReadStream(piece.path, { start: piece.start, end: piece.end! - 1 }),
          };
    const before = { ...stats };
    const stream = readInputs({
      inputs: [input],
      format: piece.format,
      ...(maxLineLength === undefined ? {} : { maxLineLength }),
      ...(signal === undefined ? {} : { signal }),
      ...(onProgress === undefined
        ? {}
        : {
            onProgress: (s: InputStats) =>
              onProgress({
                read: before.read + s.read,
                parsed: before.parsed + s.parsed,
                rejected: before.rejected + s.rejected,
                blank: before.blank + s.blank,
                bytes: before.bytes + s.bytes,
              }),
          }),
    });
    let firstRejection: Rejection | null = null;
    for await (const batch of stream) {
      addBatch(stats, batch);
      if (firstRejection === null && batch.rejections.length > 0) firstRejection = batch.rejections[0]!;
      for (const record of batch.records) fitter.observe(record);
    }
    stats.bytes += stream.stats.bytes;
    results.push({ read: stream.stats.read, firstRejection });
    warnings.push(...((stream as { warnings?: string[] }).warnings ?? []));
  }
  return {
    model: modelToJSON(fitter.finish()),
    stats,
    pieces: results,
    warnings: [...warnings, ...pipeline.warnings],
  };
}
