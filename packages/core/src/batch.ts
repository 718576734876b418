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
  /**
   * Records per layout, for parsers that read several (auto-detected NCSA logs): `{ combined: 480,
   * common: 32 }`. Absent when the format has one layout.
   */
  layouts?: Record<string, number>;
}

/** Running totals for a run; `parsed + rejected + blank = read` always holds. */
export interface InputStats {
  read: number;
  parsed: number;
  rejected: number;
  blank: number;
  bytes: number;
  /** Records per layout, when a format reads several (see {@link RecordBatch.layouts}). */
  layouts?: Record<string, number>;
  /** Rejected lines per reason, column numbers left out so that one kind of problem counts once. */
  rejectedBy?: Record<string, number>;
  /**
   * Parsed records an engine kept to itself because no detector could flag them (their combinations of
   * every footprint were judged there): counted in `parsed`, never streamed to be scored.
   */
  unscored?: number;
}

export function emptyStats(): InputStats {
  return { read: 0, parsed: 0, rejected: 0, blank: 0, bytes: 0 };
}

/** The class of a rejection reason: the reason with the column, which varies per line, written `column N`. */
export function rejectionClass(reason: string): string {
  return reason.replace(/column \d+/g, "column N");
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const key of Object.keys(from)) into[key] = (into[key] ?? 0) + from[key]!;
}

/** Adds counts per layout and per rejection class, and the unscored records, of `from` into `into`. */
export function addBreakdown(
  into: InputStats,
  from: Pick<InputStats, "layouts" | "rejectedBy" | "unscored">,
): void {
  if (from.layouts !== undefined) addCounts((into.layouts ??= {}), from.layouts);
  if (from.rejectedBy !== undefined) addCounts((into.rejectedBy ??= {}), from.rejectedBy);
  if (from.unscored !== undefined) into.unscored = (into.unscored ?? 0) + from.unscored;
}

/**
 * Counts `records` an engine kept to itself because no detector could flag them: read and parsed like
 * the others, and `unscored`; `layout`, when given, is the layout they are counted under.
 */
export function addUnscored(
  stats: InputStats,
  { records, layout = null }: { records: number; layout?: string | null },
): void {
  if (records <= 0) return;
  stats.read += records;
  stats.parsed += records;
  addBreakdown(stats, { unscored: records, ...(layout === null ? {} : { layouts: { [layout]: records } }) });
}

/** Adds a batch to running totals. */
export function addBatch(stats: InputStats, batch: RecordBatch): void {
  stats.read += batch.read;
  stats.parsed += batch.records.length;
  stats.rejected += batch.rejections.length;
  stats.blank += batch.blank;
  if (batch.layouts !== undefined) addCounts((stats.layouts ??= {}), batch.layouts);
  addRejectionClasses(stats, batch.rejections);
}

/** Counts rejections per class (see {@link rejectionClass}) into `stats.rejectedBy`. */
export function addRejectionClasses(
  stats: InputStats,
  rejections: readonly Pick<Rejection, "reason">[],
): void {
  if (rejections.length === 0) return;
  const by = (stats.rejectedBy ??= {});
  for (const { reason } of rejections) {
    const kind = rejectionClass(reason);
    by[kind] = (by[kind] ?? 0) + 1;
  }
}
