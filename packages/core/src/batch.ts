import type { LogRecord, Rejection } from "./record.js";

/**
 * A slice of input: the records parsed from it and the lines rejected. Sources hand records over in
 * batches so per-line async overhead is paid once per thousand lines, not once per line.
 */
export interface RecordBatch {
  records: LogRecord[];
  rejections: Rejection[];
  /** Blank lines in this slice, and CSV/TSV header rows: counted, not parsed. */
  blank: number;
  /** Lines read in this slice: records + rejections + blank. */
  read: number;
}

/** Running totals for a run; `parsed + rejected + blank = read` always holds. */
export interface InputStats {
  read: number;
  parsed: number;
  rejected: number;
  blank: number;
  bytes: number;
}

export function emptyStats(): InputStats {
  return { read: 0, parsed: 0, rejected: 0, blank: 0, bytes: 0 };
}

/** Adds a batch to running totals. */
export function addBatch(stats: InputStats, batch: RecordBatch): void {
  stats.read += batch.read;
  stats.parsed += batch.records.length;
  stats.rejected += batch.rejections.length;
  stats.blank += batch.blank;
}
