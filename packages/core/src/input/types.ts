import type { InputStats, RecordBatch } from "../batch.js";
import type { LogRecord } from "../record.js";

/** Names of the built-in log formats. */
export type FormatName = "common" | "combined" | "vcombined" | "nginx" | "apache" | "jsonl" | "csv" | "tsv";

/** Which format to parse and how; `auto` sniffs the first lines. */
export interface FormatSpec {
  name: FormatName | "auto";
  /** For `apache`: an Apache `LogFormat` string, e.g. `%h %l %u %t "%r" %>s %b`. */
  logFormat?: string;
  /**
   * For `jsonl`, `csv`, `tsv`: record field ← source key/column, e.g. `{ ip: "remote_addr", time: "ts" }`.
   * Unmapped keys become `extra` fields.
   */
  fields?: Record<string, string>;
  /** For `csv`/`tsv` exports holding one raw log line per row (the lesson's `entry` column). */
  column?: string;
  /** With `column`: the format of the raw lines inside it (default `auto`). */
  inner?: FormatSpec;
  /** For `csv`/`tsv`: whether the first row names the columns (default true). */
  header?: boolean;
}

/** Parses one line; returns a record, or the reason it was rejected. Never throws. */
export interface LineParser {
  /** The format it parses, e.g. `combined` or `apache "%h %l %u %t \"%r\" %>s %b"`. */
  readonly description: string;
  parse(line: string, source: string, lineNumber: number): LogRecord | string;
}

/** How inputs are read. */
export interface ReadOptions {
  format?: FormatSpec;
  /** Lines longer than this many characters are rejected with a reason (default 1 MiB). */
  maxLineLength?: number;
  /** Records per batch (default 4096). */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called now and then with running totals, for progress bars. */
  onProgress?: (stats: InputStats) => void;
}

/** Batches of records from one or more inputs, with totals kept as it goes. */
export interface RecordStream extends AsyncIterable<RecordBatch> {
  /** Totals so far; final once iteration ends. */
  readonly stats: InputStats;
  /** The format used, once known (after sniffing for `auto`). */
  readonly format: string | null;
}
