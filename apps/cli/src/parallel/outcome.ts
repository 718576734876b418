import { createReadStream } from "node:fs";
import {
  READ_CHUNK_BYTES,
  addBatch,
  addBreakdown,
  emptyStats,
  readInputs,
  type InputStats,
  type LogRecord,
  type Rejection,
} from "@oddity/core";
import type { FormattedPiece, SplitFormat } from "./pieces.js";

/** How reading one piece went; line numbers count from the piece's first line. */
export interface PieceOutcome {
  stats: InputStats;
  /** `RecordStream.format` of the piece. */
  format: string | null;
  warnings: string[];
  /** Every rejection when they are all wanted (`--rejects`), else only the first. */
  rejections: Rejection[];
}

/** Adds running totals together. */
export function sumStats(all: readonly InputStats[]): InputStats {
  const sum: InputStats = { read: 0, parsed: 0, rejected: 0, blank: 0, bytes: 0 };
  for (const s of all) {
    sum.read += s.read;
    sum.parsed += s.parsed;
    sum.rejected += s.rejected;
    sum.blank += s.blank;
    sum.bytes += s.bytes;
    addBreakdown(sum, s);
  }
  return sum;
}

/** Reads one piece, handing each record to `onRecord`; stats add up into `running` for progress. */
export async function readPiece({
  piece,
  maxLineLength,
  keepRejections,
  signal,
  onRecord,
  onProgress,
}: {
  piece: FormattedPiece;
  maxLineLength?: number | undefined;
  keepRejections: boolean;
  signal?: AbortSignal | undefined;
  onRecord: (record: LogRecord) => void;
  onProgress?: ((stats: InputStats) => void) | undefined;
}): Promise<PieceOutcome> {
  const input =
    piece.start === undefined
      ? piece.path
      : {
          name: piece.path,
          stream: createReadStream(piece.path, {
            start: piece.start,
            end: piece.end! - 1,
            highWaterMark: READ_CHUNK_BYTES,
          }),
        };
  const stream = readInputs({
    inputs: [input],
    format: piece.format,
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    ...(signal === undefined ? {} : { signal }),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  const stats = emptyStats();
  const rejections: Rejection[] = [];
  for await (const batch of stream) {
    addBatch(stats, batch);
    if (batch.rejections.length > 0 && (keepRejections || rejections.length === 0)) {
      rejections.push(...(keepRejections ? batch.rejections : batch.rejections.slice(0, 1)));
    }
    for (const record of batch.records) onRecord(record);
  }
  stats.bytes = stream.stats.bytes;
  return { stats, format: stream.format, warnings: [...stream.warnings], rejections };
}

/** The pieces' outcomes joined as one pass over the whole inputs would have reported them. */
export interface Joined {
  stats: InputStats;
  format: string | null;
  warnings: string[];
  /** With line numbers counted from the start of each file. */
  rejections: Rejection[];
  firstRejection: Rejection | null;
  /** Per piece (in input order): lines of the same file before it, to add to its line numbers. */
  lineOffsets: number[];
}

/**
 * Joins per-piece outcomes, in input order. Pieces of a file cut into ranges count lines from their own
 * start, so each gets the lines of the earlier pieces of its file added; formats and warnings read as
 * one pass reports them (the file's sniffed format once, its sniffing doubt once).
 */
export function joinOutcomes({
  pieces,
  outcomes,
  split,
}: {
  pieces: readonly FormattedPiece[];
  outcomes: readonly PieceOutcome[];
  split: ReadonlyMap<string, SplitFormat>;
}): Joined {
  const formats: string[] = [];
  const warnings: string[] = [];
  const rejections: Rejection[] = [];
  const lineOffsets: number[] = [];
  const linesBefore = new Map<string, number>();
  const announced = new Set<string>();
  pieces.forEach((piece, i) => {
    const outcome = outcomes[i]!;
    const offset = piece.start === undefined ? 0 : (linesBefore.get(piece.path) ?? 0);
    lineOffsets.push(offset);
    if (piece.start !== undefined) linesBefore.set(piece.path, offset + outcome.stats.read);
    const known = piece.start === undefined ? undefined : split.get(piece.path);
    const format = known === undefined ? outcome.format : known.description;
    for (const name of (format ?? "").split("; "))
      if (name !== "" && !formats.includes(name)) formats.push(name);
    if (known !== undefined && !announced.has(piece.path)) {
      announced.add(piece.path);
      if (known.warning !== null) warnings.push(known.warning);
    }
    warnings.push(...outcome.warnings);
    for (const r of outcome.rejections) rejections.push(offset === 0 ? r : { ...r, line: r.line + offset });
  });
  return {
    stats: sumStats(outcomes.map((o) => o.stats)),
    format: formats.length === 0 ? null : formats.join("; "),
    warnings,
    rejections,
    firstRejection: rejections[0] ?? null,
    lineOffsets,
  };
}
